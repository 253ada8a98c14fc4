"""`bridgework token` (a token from Bridgework's own issuer, or a key rotation) and
`bridgework apikey create|list|revoke` (integrations' keys, for operators)."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import TYPE_CHECKING

from bridgework.infra.auth.apikeys import ApiKeyNotFound, ApiKeys
from bridgework.infra.auth.issuer import LocalIssuer
from bridgework.infra.terminal import aligned
from bridgework.services.identity import Principal, Role

if TYPE_CHECKING:
    import argparse

    from bridgework.infra.settings import Settings
    from bridgework.services.identity import ApiKey


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


async def apikey_command(settings: Settings, args: argparse.Namespace) -> None:
    from bridgework.infra.runtime import open_runtime  # noqa: PLC0415 - `token` needs none of it

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
