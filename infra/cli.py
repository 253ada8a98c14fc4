"""`bridgework` command line: serve, migrate, rebuild, demo, project, deliver, relay, schema,
token, apikey, keys, verify, export, as-of, report.

The parser is built from light modules only (`infra/cli_options.py`); the module that runs a
command is imported once it is chosen, so `--help` and a quick `token` or `verify` do not
pay for strawberry, litestar, nats and the domain."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bridgework.infra import cli_options
from bridgework.infra.env import SettingsError
from bridgework.infra.logs import LOG_FORMATS, configure_logging

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from bridgework.infra.settings import Settings


def _port(raw: str) -> int:
    port = int(raw)
    if not 0 <= port <= 65535:  # noqa: PLR2004
        raise argparse.ArgumentTypeError(f"{raw} is not a port number")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bridgework",
        description="Bridgework: the event-sourced backend for education partnership programs.",
        epilog="Every option also has an environment variable (README.md, Configuration); "
        "an option given here wins.",
    )
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        help="text, or json for one object a line (BRIDGEWORK_LOG_FORMAT; default text)",
    )
    data.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="where the embedded PostgreSQL keeps its data (BRIDGEWORK_DATA_DIR; default "
        ".bridgework); ignored when DATABASE_URL is set",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve_ = commands.add_parser(
        "serve", parents=[data], help="serve the GraphQL API (embedded PostgreSQL by default)"
    )
    serve_.add_argument("--host", help="interface to listen on (BRIDGEWORK_HOST; 127.0.0.1)")
    serve_.add_argument("--port", type=_port, help="port to listen on (BRIDGEWORK_PORT; 8000)")
    commands.add_parser("migrate", parents=[data], help="apply database migrations and exit")
    rebuild = commands.add_parser(
        "rebuild", parents=[data], help="rebuild projections from position 0"
    )
    rebuild.add_argument("names", nargs="*", metavar="NAME", help="projections (default: all)")
    commands.add_parser("demo", parents=[data], help="load a realistic demo data set")
    commands.add_parser(
        "project", parents=[data], help="run projection workers only (scaled-out deployments)"
    )
    cli_options.add_relay_parser(commands, data)
    commands.add_parser(
        "deliver", parents=[data], help="run a webhook delivery worker only (scaled out)"
    )
    cli_options.add_status_parser(commands, data)
    cli_options.add_parked_parser(commands, data)
    cli_options.add_token_parser(commands, data)
    cli_options.add_apikey_parser(commands, data)
    cli_options.add_keys_parser(commands, data)
    cli_options.add_verify_parser(commands, data)
    cli_options.add_asof_parser(commands, data)
    cli_options.add_export_parser(commands, data)
    cli_options.add_report_parser(commands, data)
    commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    return parser


def _settings(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Settings:
    """The environment's settings, with the options given on the command line on top."""
    from bridgework.infra.settings import Settings  # noqa: PLC0415 - not for `--help`

    try:
        settings = Settings.from_env()
    except SettingsError as e:
        parser.exit(2, f"bridgework: {e}\n")
    given = {
        name: value
        for name in ("data_dir", "host", "port", "log_format")
        if (value := getattr(args, name, None)) is not None
    }
    return dataclasses.replace(settings, **given)


_RUNS = {
    "serve": "bridgework.infra.commands:serve",
    "migrate": "bridgework.infra.commands:migrate",
    "rebuild": "bridgework.infra.commands:rebuild",
    "demo": "bridgework.infra.commands:demo",
    "project": "bridgework.infra.commands:project",
    "deliver": "bridgework.infra.commands:deliver",
    "parked": "bridgework.infra.parked:parked_command",
    "status": "bridgework.infra.status:status_command",
    "token": "bridgework.infra.auth.cli:token_command",
    "apikey": "bridgework.infra.auth.cli:apikey_command",
    "keys": "bridgework.infra.crypto.cli:keys_command",
    "verify": "bridgework.infra.checkpoints.cli:verify_command",
    "as-of": "bridgework.infra.asof_cli:asof_command",
    "export": "bridgework.infra.checkpoints.cli:export_command",
    "relay": "bridgework.infra.relay.cli:relay_command",
    "report": "bridgework.infra.report:report_command",
}
"""What runs each command (`module:function`), imported only for the command given."""


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "schema":
        from bridgework.graphql.schema import export_sdl  # noqa: PLC0415 - only this command needs it

        sys.stdout.write(export_sdl())
        return
    settings = _settings(parser, args)
    configure_logging(settings.log_format, settings.log_level)
    module, name = _RUNS[args.command].split(":")
    run: Callable[[Settings, argparse.Namespace], Any] = getattr(
        importlib.import_module(module), name
    )
    if args.command == "serve":
        run(settings, args)  # uvicorn runs its own event loop
    else:
        asyncio.run(run(settings, args))


if __name__ == "__main__":
    main()
