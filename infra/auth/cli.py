"""`bridgework token` (a token from Bridgework's own issuer, or a key rotation) and
`bridgework apikey create|list|revoke` (integrations' keys, for operators)."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from bridgework.infra.auth.apikeys import ApiKeyNotFound, ApiKeys
from bridgework.infra.auth.claims import TOKEN_ROLES
from bridgework.infra.auth.issuer import LocalIssuer
from bridgework.infra.runtime import open_runtime
from bridgework.infra.terminal import aligned
from bridgework.services.identity import Principal, Role

if TYPE_CHECKING:
    from bridgework.infra.settings import Settings
    from bridgework.services.identity import ApiKey

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


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


async def token_command(settings: Settings, args: argparse.Namespace) -> None:
    """Async like the other commands that read options; it does no I/O but the key file."""
    issuer = LocalIssuer(settings)
    if args.rotate_key:
        kid = issuer.rotate()
        print(f"new signing key {kid}", file=sys.stderr)  # noqa: T201
        if not args.role:
            return
    if not args.role:
        raise SystemExit("bridgework token: give at least one --role (or --rotate-key)")
    person = args.student or args.mentor
    principal = Principal(
        subject=args.subject or (str(person) if person else "operator"),
        roles=frozenset(Role(r) for r in args.role),
        organisations=frozenset(args.org),
        student_id=args.student,
        mentor_id=args.mentor,
        personal_data=args.personal_data,
    )
    try:
        token = issuer.issue(principal, args.expires)
    except ValueError as e:
        raise SystemExit(f"bridgework token: {e}") from None
    sys.stdout.write(token + "\n")


ADMIN_TOKEN_LIFETIME = timedelta(hours=1)


def administrator_hint(settings: Settings) -> str | None:
    """What `serve` prints when Bridgework is its own issuer (no `BRIDGEWORK_AUTH_ISSUER`):
    a short-lived administrator's token and how to use it in GraphiQL, so a fresh machine
    works in two commands."""
    if settings.auth.issuer is not None:
        return None
    admin = Principal(subject="admin", roles=frozenset({Role.ADMINISTRATOR}))
    token = LocalIssuer(settings).issue(admin, ADMIN_TOKEN_LIFETIME)
    return (
        "An administrator's token, valid for 1 hour (more: bridgework token --role ...).\n"
        "Paste into GraphiQL's Headers tab:\n"
        f'{{"Authorization": "Bearer {token}"}}'
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


async def apikey_command(settings: Settings, args: argparse.Namespace) -> None:
    problem = None
    async with open_runtime(settings) as runtime:
        keys = ApiKeys(runtime.pool)
        if args.action == "create":
            record, key = await keys.create(
                name=args.name,
                organisations=args.org,
                created_by=args.created_by,
                read_only=args.read_only,
                event_types=args.event_type,
                personal_data=args.personal_data,
            )
            print(f"API key {record.id} ({record.name}); shown only now:", file=sys.stderr)  # noqa: T201
            sys.stdout.write(key + "\n")
        elif args.action == "list":
            sys.stdout.write(table(await keys.list()))
        else:
            try:
                record = await keys.revoke(args.id)
                print(f"revoked API key {record.id} ({record.name})")  # noqa: T201
            except ApiKeyNotFound as e:
                problem = f"bridgework apikey: {e}"
    if problem is not None:
        raise SystemExit(problem)


def table(keys: list[ApiKey]) -> str:
    if not keys:
        return "no API keys\n"
    rows = [("ID", "NAME", "KEY", "SCOPE", "CREATED BY", "LAST USED", "REVOKED")]
    for k in keys:
        scope = f"{len(k.organisations)} org(s)" + (", read-only" if k.read_only else "")
        scope += ", personal data" if k.personal_data else ""
        if k.event_types is not None:
            scope += f", {len(k.event_types)} event type(s)"
        used = f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never"
        revoked = f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else ""
        rows.append((str(k.id), k.name, f"{k.hint}…", scope, k.created_by, used, revoked))
    return aligned(rows)
