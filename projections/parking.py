"""Parked events: events a projection kept failing on, set aside so that it can move on.

A parked row is open (`resolved_at IS NULL`) until someone retries the event ('retried'),
skips it ('skipped'), or the projection is rebuilt ('rebuilt'; the rebuild meets the event
again and parks it anew if it still fails).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal
from uuid import UUID

import msgspec
from bridgework.projections.faults import is_transient
from bridgework.projections.scrub import apply_events, wants
from bridgework.services.ports import Checkpoint

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    import asyncpg
    from bridgework.projections.applying import Projection
    from bridgework.projections.db import Connection
    from bridgework.services.ports import EventCodec, EventStore, StoredEvent

    Db = asyncpg.Pool | Connection

Resolution = Literal["retried", "skipped", "rebuilt"]
ERROR_LIMIT = 2000


class ParkedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One event set aside for one projection (a row of `parked_events`)."""

    projection: str
    position: int
    tx_id: int
    event_id: UUID
    event_type: str
    error: str
    """The exception's type and message of the last failure, at most 2000 characters."""
    attempts: int
    parked_at: datetime
    resolved_at: datetime | None
    """None while the event is open (still skipped by its projection)."""
    resolution: Resolution | None


class ParkingError(Exception):
    """A request about parked events that cannot be carried out (the message says why)."""


class UnknownParkedEvent(ParkingError, LookupError):
    """No such projection, or no open parked event at that position for it."""


class RetryFailed(ParkingError):
    """A retried event failed again: it stays parked, with the new error."""


def describe(error: BaseException) -> str:
    """`Type: message`, storable in a text column (no NUL) and at most ERROR_LIMIT long."""
    text = f"{type(error).__name__}: {error}".replace("\x00", "\\x00")
    return text if len(text) <= ERROR_LIMIT else text[: ERROR_LIMIT - 1] + "…"


_COLUMNS = (
    "projection, position, tx_id, event_id, event_type, error, attempts, parked_at,"
    " resolved_at, resolution"
)


def _row(row: asyncpg.Record) -> ParkedEvent:
    return ParkedEvent(**dict(row.items()))


async def park(
    db: Db, projection: str, event: StoredEvent, error: BaseException, attempts: int
) -> None:
    """Record the event as parked; an earlier row for it (resolved, or parked before a
    rebuild) is replaced, so the table holds each event's latest parking."""
    await db.execute(
        f"INSERT INTO parked_events ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, now(),"  # noqa: S608
        " NULL, NULL) ON CONFLICT (projection, position) DO UPDATE SET tx_id = EXCLUDED.tx_id,"
        " event_id = EXCLUDED.event_id, event_type = EXCLUDED.event_type,"
        " error = EXCLUDED.error, attempts = EXCLUDED.attempts, parked_at = now(),"
        " resolved_at = NULL, resolution = NULL",
        projection,
        event.position,
        event.tx_id,
        event.event_id,
        event.event_type,
        describe(error),
        attempts,
    )


async def listed(
    db: Db, projections: Sequence[str], *, include_resolved: bool
) -> list[ParkedEvent]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM parked_events WHERE projection = ANY($1::text[])"  # noqa: S608
        " AND ($2 OR resolved_at IS NULL) ORDER BY position, projection",
        list(projections),
        include_resolved,
    )
    return [_row(r) for r in rows]


async def find(db: Db, projection: str, position: int) -> ParkedEvent | None:
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM parked_events WHERE projection = $1 AND position = $2",  # noqa: S608
        projection,
        position,
    )
    return None if row is None else _row(row)


async def open_one(db: Db, projection: str, position: int) -> ParkedEvent:
    """The open parked row, or an error that says why there is none."""
    found = await find(db, projection, position)
    if found is None:
        raise UnknownParkedEvent(
            f"no event at position {position} is parked for projection {projection!r}"
        )
    if found.resolved_at is not None:
        raise UnknownParkedEvent(
            f"the event at position {position} parked for projection {projection!r} was"
            f" already resolved ({found.resolution} at {found.resolved_at:%Y-%m-%d %H:%M:%S})"
        )
    return found


async def resolve(db: Db, projection: str, position: int, resolution: Resolution) -> bool:
    """Close an open row; False if there was none."""
    closed = await db.fetchval(
        "UPDATE parked_events SET resolved_at = now(), resolution = $3"
        " WHERE projection = $1 AND position = $2 AND resolved_at IS NULL RETURNING true",
        projection,
        position,
        resolution,
    )
    return closed is True


async def resolve_all(db: Db, projection: str, resolution: Resolution) -> None:
    await db.execute(
        "UPDATE parked_events SET resolved_at = now(), resolution = $2"
        " WHERE projection = $1 AND resolved_at IS NULL",
        projection,
        resolution,
    )


async def failed_again(db: Db, projection: str, position: int, error: BaseException) -> None:
    await db.execute(
        "UPDATE parked_events SET error = $3, attempts = attempts + 1"
        " WHERE projection = $1 AND position = $2 AND resolved_at IS NULL",
        projection,
        position,
        describe(error),
    )


async def retry(
    pool: asyncpg.Pool,
    store: EventStore,
    codec: EventCodec,
    p: Projection,
    position: int,
    *,
    lock: Callable[[Connection, str], Awaitable[None]],
) -> None:
    """Apply one open parked event of `p` and resolve it as 'retried', in one transaction
    under the projection's lock; on failure, keep it open and raise `RetryFailed`."""
    row = await open_one(pool, p.name, position)
    # The event at exactly (tx_id, position): nothing lies in between in the global order.
    [event] = await store.read_after(Checkpoint(row.tx_id, position - 1), 1)
    try:
        async with pool.acquire() as conn, conn.transaction():
            await lock(conn, p.name)
            if not await resolve(conn, p.name, position, "retried"):
                await open_one(conn, p.name, position)  # resolved meanwhile: raise, saying so
            if wants(p, event.event_type):
                await apply_events(p, conn, [(event, codec.decode(event))])
    except ParkingError:
        raise
    except Exception as e:
        if is_transient(e):
            raise
        await failed_again(pool, p.name, position, e)
        raise RetryFailed(
            f"the event at position {position} ({event.event_type}) still fails for"
            f" projection {p.name!r}: {describe(e)}; it stays parked"
        ) from e
