"""`bridgework` command line: serve, migrate, rebuild, demo, project, deliver, relay, schema,
token, apikey, keys, verify, export, as-of, report."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn
from bridgework.infra.asof_cli import add_asof_parser, asof_command
from bridgework.infra.auth.cli import (
    add_apikey_parser,
    add_token_parser,
    administrator_hint,
    apikey_command,
    token_command,
)
from bridgework.infra.checkpoints.cli import (
    add_export_parser,
    add_verify_parser,
    export_command,
    verify_command,
)
from bridgework.infra.crypto.cli import add_keys_parser, keys_command
from bridgework.infra.demo import load_demo
from bridgework.infra.env import SettingsError
from bridgework.infra.logs import configure_logging
from bridgework.infra.parked import add_parked_parser, parked_command
from bridgework.infra.relay.cli import add_relay_parser, relay_command
from bridgework.infra.report import add_report_parser, report_command
from bridgework.infra.runtime import open_runtime
from bridgework.infra.settings import LOG_FORMATS, Settings
from bridgework.infra.status import add_status_parser, status_command
from bridgework.infra.terminal import progress

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Sequence

log = logging.getLogger("bridgework")


def serve(settings: Settings) -> None:
    """Serve GraphQL at /graphql; uvicorn turns SIGINT/SIGTERM into a graceful shutdown."""
    from bridgework.infra.app import create_app  # noqa: PLC0415 - the schema is slow to build

    app = create_app(settings)
    print(f"Bridgework: GraphiQL at http://{settings.host}:{settings.port}/graphql")  # noqa: T201
    if (hint := administrator_hint(settings)) is not None:
        print(hint, flush=True)  # noqa: T201
    # uvicorn shuts down gracefully, then raises the signal again; exiting normally then lets
    # the embedded PostgreSQL stop with the process instead of outliving it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    # log_config=None: uvicorn logs through the handler `configure_logging` set up.
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None)


async def _migrate(settings: Settings) -> None:
    async with open_runtime(settings):
        log.info("database is migrated")


async def _rebuild(settings: Settings, names: list[str]) -> None:
    async with open_runtime(settings) as runtime:
        known = runtime.runner.names()
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SystemExit(
                f"unknown projection(s): {', '.join(unknown)}; known: {', '.join(known)}"
            )
        events = await runtime.pool.fetchval("SELECT count(*) FROM events")
        for name in names or known:
            with progress(f"rebuild {name}", total=events) as advance:
                count = await runtime.runner.rebuild(name, on_batch=advance)
            log.info("rebuilt %s from position 0 (%d events)", name, count)


async def _demo(settings: Settings) -> None:
    async with open_runtime(settings) as runtime:
        with progress("demo: commands", unit="commands") as advance:
            head = await load_demo(runtime.deps, on_step=advance)
        await runtime.runner.catch_up()
        log.info("demo data loaded up to position %d; open /graphql to explore", head)


async def _project(settings: Settings) -> None:
    async with open_runtime(settings) as runtime:
        log.info("projection worker tailing the log: %s", ", ".join(runtime.runner.names()))
        worker = asyncio.create_task(runtime.runner.run(), name="projections")
        runtime.publish_checkpoints()
        loop = asyncio.get_running_loop()
        # A batch cut short rolls back with its checkpoint, so stopping anywhere is safe.
        for stop in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop, worker.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        log.info("projection worker stopped")


async def _deliver(settings: Settings) -> None:
    async with open_runtime(settings) as runtime:
        await runtime.run_webhooks()
        log.info("webhook worker fanning out the log and sending")
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        # A send cut short is not recorded: its lease brings it round again (same webhook-id).
        for stop in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop, stopped.set)
        await stopped.wait()
        log.info("webhook worker stopped")


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
    add_relay_parser(commands, data)
    commands.add_parser(
        "deliver", parents=[data], help="run a webhook delivery worker only (scaled out)"
    )
    add_status_parser(commands, data)
    add_parked_parser(commands, data)
    add_token_parser(commands, data)
    add_apikey_parser(commands, data)
    add_keys_parser(commands, data)
    add_verify_parser(commands, data)
    add_asof_parser(commands, data)
    add_export_parser(commands, data)
    add_report_parser(commands, data)
    commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    return parser


def _settings(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Settings:
    """The environment's settings, with the options given on the command line on top."""
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


_WITH_ARGS: dict[str, Callable[[Settings, argparse.Namespace], Coroutine[None, None, None]]] = {
    "parked": parked_command,
    "status": status_command,
    "token": token_command,
    "apikey": apikey_command,
    "keys": keys_command,
    "verify": verify_command,
    "as-of": asof_command,
    "export": export_command,
    "relay": relay_command,
    "report": report_command,
}
"""Commands that read their own options."""


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "schema":
        from bridgework.graphql.schema import export_sdl  # noqa: PLC0415 - only this command needs it

        sys.stdout.write(export_sdl())
        return
    settings = _settings(parser, args)
    configure_logging(settings.log_format, settings.log_level)
    match args.command:
        case "serve":
            serve(settings)
        case "migrate":
            asyncio.run(_migrate(settings))
        case "rebuild":
            asyncio.run(_rebuild(settings, args.names))
        case "demo":
            asyncio.run(_demo(settings))
        case "project":
            asyncio.run(_project(settings))
        case "deliver":
            asyncio.run(_deliver(settings))
        case _:
            asyncio.run(_WITH_ARGS[args.command](settings, args))


if __name__ == "__main__":
    main()
