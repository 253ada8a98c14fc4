"""The outbox table (migration 0005): enqueue a mail inside the caller's transaction, and the
mailer's claim and its outcomes.

`enqueue` runs on the caller's connection, inside the caller's transaction (a projection's,
a unit of work's): the mail exists exactly when that transaction commits, and its
`NOTIFY` is delivered only then. Mail is rare (a supervisor's link), so the notification's
commit-time lock is no cost worth avoiding here (FIELD_NOTES.md measured it under load).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec
from bridgework.services.ports import MailRefused

if TYPE_CHECKING:
    from collections.abc import Sequence

    import asyncpg
    from bridgework.services.ports import OutgoingMail

CHANNEL = "bridgework_mail"
"""Woken on every new mail; the mailer LISTENs on it."""
MAX_ADDRESS = 254
MAX_SUBJECT = 200
MAX_DEDUPE_KEY = 200
MAX_BODY = 100_000

# One plain address, ASCII, no display name: nothing a header could be smuggled through.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BODY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tabs and line ends are text


class InvalidMail(ValueError):
    """A mail Bridgework refuses to enqueue; `field` names what is wrong with it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def check_address(value: str, field: str = "to") -> str:
    """`value` if it is one e-mail address (`name@example.org`), else `InvalidMail`."""
    if _CONTROL.search(value):
        raise InvalidMail(field, "an e-mail address cannot hold line breaks or control characters")
    if len(value) > MAX_ADDRESS or not _ADDRESS.fullmatch(value):
        raise InvalidMail(field, f"{value!r} is not one e-mail address (like name@example.org)")
    return value


def check_mail(dedupe_key: str, to: str, subject: str, body: str) -> None:
    """Nothing, or `InvalidMail` for what `enqueue` refuses (the memory store checks alike)."""
    if not dedupe_key.strip() or len(dedupe_key) > MAX_DEDUPE_KEY:
        raise InvalidMail("dedupe_key", f"must be 1 to {MAX_DEDUPE_KEY} characters")
    check_address(to)
    if _CONTROL.search(subject):
        raise InvalidMail("subject", "a subject cannot hold line breaks or control characters")
    if not subject.strip() or len(subject) > MAX_SUBJECT:
        raise InvalidMail("subject", f"must be 1 to {MAX_SUBJECT} characters")
    if _BODY_CONTROL.search(body):
        raise InvalidMail("body", "a body cannot hold control characters other than line breaks")
    if not body.strip() or len(body) > MAX_BODY:
        raise InvalidMail("body", f"must be 1 to {MAX_BODY:,} characters")


def refuse_bad_mail(mail: Sequence[OutgoingMail]) -> None:
    """What every store checks before it writes an append's mail: nothing, or `MailRefused`
    (a store error) naming the field, so the append is refused whole and writes nothing."""
    for m in mail:
        try:
            check_mail(**msgspec.structs.asdict(m))
        except InvalidMail as refused:
            raise MailRefused(refused.field, str(refused)) from None


async def enqueue(
    conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy,
    *,
    dedupe_key: str,
    to: str,
    subject: str,
    body: str,
) -> bool:
    """Put one mail in the outbox, in the transaction `conn` is in; True if it is new, False
    if a mail with this `dedupe_key` was enqueued before (that one stands, unchanged).

    Raises `InvalidMail` naming the field (and writes nothing) for anything but one plain
    address in `to`, or a subject with a line break: no header can be injected."""
    check_mail(dedupe_key, to, subject, body)
    inserted = await conn.fetchval(
        "INSERT INTO outbox (dedupe_key, recipient, subject, body) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (dedupe_key) DO NOTHING RETURNING true",
        dedupe_key,
        to,
        subject,
        body,
    )
    if inserted:
        await conn.execute("SELECT pg_notify($1, '')", CHANNEL)
    return bool(inserted)


class Claimed(msgspec.Struct, frozen=True):
    """A mail this mailer holds until `lease` runs out."""

    id: UUID
    recipient: str
    subject: str
    body: str
    attempts: int
    """Including this one."""
    created_at: datetime


# The claim and its state change are one statement, so one transaction: a row locked by
# another mailer is skipped, and once claimed it is not due again until its lease ends.
_CLAIM = """
WITH due AS (
    SELECT id FROM outbox
    WHERE sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= now()
    ORDER BY next_attempt_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
UPDATE outbox AS o
SET attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
FROM due WHERE o.id = due.id
RETURNING o.id, o.recipient, o.subject, o.body, o.attempts, o.created_at
"""


async def claim(pool: asyncpg.Pool, limit: int, lease_seconds: float) -> list[Claimed]:
    rows = await pool.fetch(_CLAIM, limit, lease_seconds)
    return sorted((Claimed(*r) for r in rows), key=lambda c: c.created_at)


async def mark_sent(pool: asyncpg.Pool, mail_id: UUID) -> None:
    await pool.execute(
        "UPDATE outbox SET sent_at = now(), body = NULL, last_error = NULL WHERE id = $1", mail_id
    )


async def mark_failed(pool: asyncpg.Pool, mail_id: UUID, error: str, retry_in: float) -> None:
    await pool.execute(
        "UPDATE outbox SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3)"
        " WHERE id = $1",
        mail_id,
        error,
        retry_in,
    )


async def mark_given_up(pool: asyncpg.Pool, mail_id: UUID, error: str) -> None:
    await pool.execute(
        "UPDATE outbox SET given_up_at = now(), body = NULL, last_error = $2 WHERE id = $1",
        mail_id,
        error,
    )


async def seconds_to_next_due(pool: asyncpg.Pool) -> float | None:
    """How long until the next mail is due (0 if one is now), None if none waits.

    (Not `greatest(…, 0)` in SQL: `greatest` skips NULLs, so an empty outbox would read as
    "due now" and the mailer would look again every 10 ms.)"""
    value: float | None = await pool.fetchval(
        "SELECT extract(epoch FROM min(next_attempt_at) - now())::float8"
        " FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL"
    )
    return None if value is None else max(value, 0.0)


class OutboxCounts(msgspec.Struct, frozen=True):
    """What `bridgework status` and `/metrics` show of the outbox."""

    waiting: int
    """Not sent yet, still being tried."""
    retrying: int
    """Waiting after at least one failed attempt."""
    given_up: int
    sent: int


async def outbox_counts(conn: asyncpg.Pool | asyncpg.Connection) -> OutboxCounts:
    row = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE sent_at IS NULL AND given_up_at IS NULL),"
        " count(*) FILTER (WHERE sent_at IS NULL AND given_up_at IS NULL AND last_error IS NOT"
        " NULL), count(*) FILTER (WHERE given_up_at IS NOT NULL),"
        " count(*) FILTER (WHERE sent_at IS NOT NULL) FROM outbox"
    )
    assert row is not None  # noqa: S101 - an aggregate always returns one row
    return OutboxCounts(*row)
