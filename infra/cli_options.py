"""The options of the commands that read their own (`bridgework token`, `verify`, `report`, …).

Kept apart from the modules that run the commands: building the parser imports only these
(and `--help` answers at once), while a command's module, with strawberry, litestar, nats
and the domain behind it, is imported only when that command runs (`infra/cli.py`)."""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from uuid import UUID

from bridgework.infra.auth.claims import TOKEN_ROLES
from bridgework.infra.checkpoints.rows import FORMATS
from bridgework.infra.relay.settings import name, nats_url

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def add_relay_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    relay = commands.add_parser(
        "relay",
        parents=[data],
        help="publish every public event to a broker (NATS JetStream)",
        description="Follow the log and publish each public event's CloudEvents JSON to NATS"
        " JetStream, checkpointing in PostgreSQL after every PubAck.",
    )
    relay.add_argument("broker", choices=["nats"], help="the broker (nats: NATS JetStream)")
    relay.add_argument(
        "--url", type=nats_url, help="NATS server(s), comma-separated (BRIDGEWORK_NATS_URL)"
    )
    relay.add_argument(
        "--stream", type=name, help="the stream (BRIDGEWORK_NATS_STREAM; BRIDGEWORK)"
    )
    relay.add_argument(
        "--name", type=name, help="the relay's checkpoint (BRIDGEWORK_RELAY_NAME; nats)"
    )


def add_status_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    status = commands.add_parser(
        "status",
        parents=[data],
        help="the log's head, each projection's checkpoint, lag and parked events",
        description="One look at the log and the projections, as /ready and /metrics see it.",
    )
    status.add_argument("--json", action="store_true", help="print one JSON object instead")


def add_parked_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    """`parked [--data-dir DIR] [retry|skip NAME POSITION]` on the command parsers."""
    parked = commands.add_parser(
        "parked",
        parents=[data],
        help="list events projections kept failing on and set aside; retry or skip one",
        description="Without an action, list the open parked events (projection, position, "
        "type, attempts, parked_at, error).",
    )
    actions = parked.add_subparsers(dest="action", metavar="ACTION")
    for action, help_ in (
        ("retry", "apply the parked event to its projection now; it stays parked if it fails"),
        ("skip", "resolve the parked event without applying it: its projection never will"),
    ):
        act = actions.add_parser(action, help=help_, description=help_)
        act.add_argument("name", metavar="NAME", help="the projection it is parked for")
        act.add_argument("position", metavar="POSITION", type=int, help="the event's position")
        # Given here rather than before the action: a default would hide the earlier one.
        act.add_argument(
            "--data-dir", type=Path, metavar="DIR", default=argparse.SUPPRESS, help="as above"
        )


def duration(raw: str) -> timedelta:
    """`90s`, `15m`, `1h`, `7d`."""
    found = re.fullmatch(r"(\d+)([smhd])", raw.strip())
    if found is None or int(found[1]) == 0:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a duration like 90s, 15m, 1h or 7d")
    return timedelta(seconds=int(found[1]) * _UNITS[found[2]])


def _id(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not an id") from None


def add_token_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    token = commands.add_parser(
        "token",
        parents=[data],
        help="print a token signed by Bridgework's own issuer (or rotate its signing key)",
        description="Prints one signed token on standard output, for an Authorization: Bearer "
        "header. The signing key is kept in the data folder, as `serve` keeps it.",
    )
    roles = sorted(r.value for r in TOKEN_ROLES)
    token.add_argument(
        "--role", action="append", choices=roles, default=[], help="a role (repeatable)"
    )
    token.add_argument(
        "--org", action="append", type=_id, default=[], metavar="ID", help="an organisation id"
    )
    person = token.add_mutually_exclusive_group()
    person.add_argument("--student", type=_id, metavar="ID", help="the student the person is")
    person.add_argument("--mentor", type=_id, metavar="ID", help="the mentor the person is")
    token.add_argument("--subject", help="the person's id (default: the student or mentor id)")
    token.add_argument(
        "--personal-data", action="store_true", help="grant the log's personal fields"
    )
    token.add_argument(
        "--expires", type=duration, default=timedelta(hours=1), help="lifetime (default 1h)"
    )
    token.add_argument(
        "--rotate-key",
        action="store_true",
        help="make a new signing key first; the old one stays published until its tokens expire",
    )


def add_apikey_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    apikey = commands.add_parser(
        "apikey",
        parents=[data],
        help="create, list or revoke integrations' API keys",
        description="An API key is shown once, when it is created; only its hash is kept.",
    )
    actions = apikey.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="make a key and print it (once)")
    create.add_argument("--name", required=True, help="what the integration is")
    create.add_argument(
        "--org", action="append", type=_id, default=[], metavar="ID", help="scope (repeatable)"
    )
    create.add_argument("--read-only", action="store_true", help="reads only")
    create.add_argument(
        "--personal-data", action="store_true", help="grant the log's personal fields"
    )
    create.add_argument(
        "--event-type", action="append", metavar="TYPE", help="event types it may read (all)"
    )
    create.add_argument("--created-by", default="operator", help="who asked for it")
    listing = actions.add_parser("list", help="every key, revoked ones too (never the key)")
    revoke = actions.add_parser("revoke", help="refuse the key from now on")
    revoke.add_argument("id", type=_id, metavar="ID", help="the key's id (from `list`)")
    for action in (create, listing, revoke):
        # Given here too, after the action: a default would hide the earlier one.
        action.add_argument(
            "--data-dir", type=Path, metavar="DIR", default=argparse.SUPPRESS, help="as above"
        )


def add_keys_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    keys = commands.add_parser(
        "keys",
        parents=[data],
        help="the key-encryption keys of the personal data: status, rewrap, rotate, prune",
        description="Data keys are wrapped by a KEK (BRIDGEWORK_KEK, or the key file made in "
        "the data folder). `rewrap` wraps every data key by the current KEK; `rotate` (key "
        "file only) makes a new current KEK and rewraps; `prune` (key file only, once every "
        "server runs with the new file) drops KEKs that wrap no data key any more.",
    )
    keys.add_argument("action", choices=("status", "rewrap", "rotate", "prune"))


def add_verify_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    verify_ = commands.add_parser(
        "verify",
        parents=[data],
        help="check that the log is the one sealed; exit 1 naming the first altered event",
        description="Recompute every event's leaf from the log and compare them and their "
        "Merkle root with the sealed tree. With --checkpoint, also check a saved signed "
        "checkpoint and prove the log extends it. With --report, check a signed impact "
        "report and recompute its numbers. Exit 0 when all holds, 1 when not.",
    )
    verify_.add_argument(
        "--checkpoint", type=Path, metavar="FILE", help="a saved `GET /checkpoint` note"
    )
    verify_.add_argument(
        "--export", type=Path, metavar="FILE", help="an export file, checked offline"
    )
    verify_.add_argument(
        "--report", type=Path, metavar="FILE", help="a `bridgework report` JSON file"
    )
    verify_.add_argument(
        "--public-key",
        type=Path,
        metavar="FILE",
        help="the verifier key(s), as `GET /checkpoint/keys` gives them",
    )


def add_asof_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    as_of = commands.add_parser(
        "as-of",
        parents=[data],
        help="print a GraphQL query's JSON over the read models as of a past position or time",
    )
    when = as_of.add_mutually_exclusive_group(required=True)
    when.add_argument("--position", type=int, metavar="N", help="every event at or below N")
    when.add_argument(
        "--at", metavar="TIME", help="ISO 8601 with a time zone, e.g. 2026-12-01T09:00:00Z"
    )
    as_of.add_argument(
        "--query",
        required=True,
        metavar="GRAPHQL",
        help="a selection of the Query type, e.g. '{ programs { edges { node { name } } } }'",
    )


def add_export_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    export_ = commands.add_parser(
        "export",
        parents=[data],
        help="export events as stored, with a manifest `verify --export` checks offline",
        description="Write the events recorded from --from (inclusive) to --to (exclusive) "
        "that the latest signed checkpoint covers, as stored, and FILE.manifest.json with "
        "the checkpoint and each row's inclusion proof.",
    )
    export_.add_argument("--from", dest="since", type=_moment, required=True, metavar="TIME")
    export_.add_argument("--to", dest="until", type=_moment, required=True, metavar="TIME")
    export_.add_argument(
        "--types", nargs="+", metavar="TYPE", help="public event types (default: all)"
    )
    export_.add_argument("--format", choices=FORMATS, default="jsonl")
    export_.add_argument("--output", type=Path, required=True, metavar="FILE")


def _moment(raw: str) -> datetime:
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        at = None
    if at is None or at.utcoffset() is None:
        msg = f"{raw!r} is not a time with an offset, e.g. 2026-09-01T00:00:00Z"
        raise argparse.ArgumentTypeError(msg)
    return at


def add_report_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    report = commands.add_parser(
        "report",
        parents=[data],
        help="write a partnership's impact report as of a position, as JSON and HTML",
    )
    report.add_argument("--partnership", required=True, type=UUID, metavar="ID")
    report.add_argument("--from", dest="starts", required=True, type=date.fromisoformat)
    report.add_argument("--to", dest="ends", required=True, type=date.fromisoformat)
    when = report.add_mutually_exclusive_group()
    when.add_argument("--position", type=int, metavar="N", help="as of N (default: the end)")
    when.add_argument("--at", metavar="TIME", help="as of a time (ISO 8601 with a zone)")
    report.add_argument("--json", type=Path, default=Path("impact-report.json"), metavar="FILE")
    report.add_argument("--html", type=Path, default=Path("impact-report.html"), metavar="FILE")
