"""Named consumers of `GET /feed`: a cursor the server keeps per owner and name (table
`feed_consumers`, migration 0011), so an integration that restarts resumes after what it
acknowledged.

The owner is the caller's principal (`Principal.subject`: `apikey:<id>` for a key), so a
consumer is private to it: another caller naming the same consumer gets its own. `served` is
the furthest cursor the feed has handed the consumer; an ack must name a cursor of an event
between the acknowledged one and that (or the one acknowledged, again, which changes nothing).
A seek sets the cursor anywhere: after the event at a position, or after the last event, in
the log's gap-safe order, that nothing recorded after a time precedes. Nothing else reads
these rows, so a consumer that never acks holds nobody back.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bridgework.graphql.log import event_cursor
from bridgework.infra.statements import LAG_COUNT_CAP
from bridgework.services.ports import ORIGIN, Checkpoint
from litestar import Response

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    import asyncpg

MAX_NAME = 64
MAX_CONSUMERS = 100
"""Per owner: a key cannot fill the table by inventing names."""
_NAME = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_NAME - 1}}}")

_OPEN = """
WITH made AS (
    INSERT INTO feed_consumers (owner, name)
    SELECT $1, $2 WHERE (SELECT count(*) FROM feed_consumers WHERE owner = $1) < $3
    ON CONFLICT DO NOTHING
    RETURNING acked_tx_id, acked_position
)
SELECT acked_tx_id, acked_position FROM made
UNION ALL
SELECT acked_tx_id, acked_position FROM feed_consumers WHERE owner = $1 AND name = $2
"""
_SERVED = """
UPDATE feed_consumers SET served_tx_id = $3, served_position = $4
WHERE owner = $1 AND name = $2 AND (served_tx_id, served_position) < ($3::xid8, $4::bigint)
"""
_LOCK = """
SELECT acked_tx_id, acked_position, served_tx_id, served_position FROM feed_consumers
WHERE owner = $1 AND name = $2 FOR UPDATE
"""
_ACK = """
UPDATE feed_consumers SET acked_tx_id = $3, acked_position = $4, acked_at = now()
WHERE owner = $1 AND name = $2
"""
_SEEK = """
UPDATE feed_consumers SET acked_tx_id = $3, acked_position = $4,
    served_tx_id = CASE WHEN (served_tx_id, served_position) < ($3::xid8, $4::bigint)
        THEN $3 ELSE served_tx_id END,
    served_position = CASE WHEN (served_tx_id, served_position) < ($3::xid8, $4::bigint)
        THEN $4 ELSE served_position END
WHERE owner = $1 AND name = $2
"""
_IS_EVENT = "SELECT EXISTS (SELECT 1 FROM events WHERE position = $2 AND tx_id = $1)"
_FIRST_AFTER = """
SELECT tx_id, position FROM events WHERE recorded_at > $1 ORDER BY tx_id, position LIMIT 1
"""
_LAST_BEFORE = """
SELECT tx_id, position FROM events
WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
  AND ($1::xid8 IS NULL OR (tx_id, position) < ($1::xid8, $2::bigint))
ORDER BY tx_id DESC, position DESC LIMIT 1
"""
_LIST = """
SELECT c.name, c.acked_tx_id, c.acked_position, c.acked_at, c.created_at, (
    SELECT count(*) FROM (
        SELECT FROM events e
        WHERE (e.tx_id, e.position) > (c.acked_tx_id, c.acked_position)
          AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
          AND ($2::text[] IS NULL OR e.event_type = ANY($2::text[]))
          AND ($3::uuid[] IS NULL OR e.scope && $3::uuid[])
        LIMIT $4
    ) AS behind
) AS lag
FROM feed_consumers c WHERE c.owner = $1 ORDER BY c.name
"""
"""`lag` is counted up to `LAG_COUNT_CAP`: listing stays cheap however far behind."""


class FeedError(ValueError):
    """A request of the feed's that cannot be met: the parameter, why, and the status."""

    def __init__(self, parameter: str, message: str, status: int = 400) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter, self.message, self.status = parameter, message, status


def refusal(e: FeedError) -> Response[dict[str, Any]]:
    """The answer to a `FeedError`: `{"error": {"parameter": …, "message": …}}`."""
    body = {"error": {"parameter": e.parameter, "message": e.message}}
    return Response(body, status_code=e.status)


def consumer_name(raw: str, parameter: str) -> str:
    """A consumer's name: 1 to `MAX_NAME` letters, digits, `.`, `_` or `-`, starting with a
    letter or digit."""
    if _NAME.fullmatch(raw) is None:
        raise FeedError(
            parameter,
            f"must be 1 to {MAX_NAME} letters, digits, '.', '_' or '-', starting with a letter"
            f" or digit, got {raw[:80]!r}",
        )
    return raw


def unknown(name: str) -> FeedError:
    return FeedError("name", f"no consumer {name!r} of yours (see GET /feed/consumers)", 404)


async def open_consumer(pool: asyncpg.Pool, owner: str, name: str) -> Checkpoint:
    """Where the consumer resumes: after its acknowledged cursor (made at the start of the
    log on first use)."""
    for _ in range(2):  # a second look finds one made at the same moment by another request
        row = await pool.fetchrow(_OPEN, owner, name, MAX_CONSUMERS)
        if row is not None:
            return Checkpoint(row[0], row[1])
    raise FeedError("consumer", f"at most {MAX_CONSUMERS} consumers per caller: delete one")


async def handed_out(pool: asyncpg.Pool, owner: str, name: str, cursor: Checkpoint) -> None:
    """The feed gave the consumer `cursor`: from now on it may acknowledge up to there."""
    await pool.execute(_SERVED, owner, name, cursor.tx_id, cursor.position)


async def acknowledge(pool: asyncpg.Pool, owner: str, name: str, cursor: Checkpoint) -> bool:
    """Move the consumer's cursor forward to `cursor`; False if it was there already."""
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(_LOCK, owner, name)
        if row is None:
            raise unknown(name)
        acked, served = Checkpoint(row[0], row[1]), Checkpoint(row[2], row[3])
        if cursor == acked:
            return False
        if cursor < acked:
            raise FeedError("cursor", "is behind the acknowledged cursor (seek to go back)")
        if cursor > served or not await conn.fetchval(_IS_EVENT, cursor.tx_id, cursor.position):
            raise FeedError("cursor", "was never handed to this consumer by GET /feed")
        await conn.execute(_ACK, owner, name, cursor.tx_id, cursor.position)
        return True


async def seek_position(pool: asyncpg.Pool, position: int) -> Checkpoint:
    """The checkpoint after the event at `position` (0: the start of the log)."""
    if position == 0:
        return ORIGIN
    tx_id = await pool.fetchval("SELECT tx_id FROM events WHERE position = $1", position)
    if tx_id is not None:
        return Checkpoint(tx_id, position)
    head = await pool.fetchval("SELECT coalesce(max(position), 0) FROM events")
    if position > head:
        raise FeedError("position", f"{position} is beyond the last position written ({head})")
    raise FeedError("position", f"no event has position {position}")


async def seek_time(pool: asyncpg.Pool, at: datetime) -> Checkpoint:
    """The last readable event in the log's order that no event recorded after `at` comes
    before, so that every event recorded after `at` is read again (and a few recorded before
    it only when a transaction committed them late). One snapshot for both reads: an event
    that becomes readable between them could otherwise be skipped."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        first = await conn.fetchrow(_FIRST_AFTER, at)
        bound = (None, None) if first is None else (first[0], first[1])
        row = await conn.fetchrow(_LAST_BEFORE, *bound)
    return ORIGIN if row is None else Checkpoint(row[0], row[1])


async def seek(pool: asyncpg.Pool, owner: str, name: str, cursor: Checkpoint) -> None:
    if await pool.execute(_SEEK, owner, name, cursor.tx_id, cursor.position) == "UPDATE 0":
        raise unknown(name)


async def delete(pool: asyncpg.Pool, owner: str, name: str) -> None:
    found = "DELETE FROM feed_consumers WHERE owner = $1 AND name = $2"
    if await pool.execute(found, owner, name) == "DELETE 0":
        raise unknown(name)


async def consumers_of(
    pool: asyncpg.Pool, owner: str, types: frozenset[str] | None, scope: frozenset[UUID] | None
) -> list[dict[str, Any]]:
    """The owner's consumers: each one's cursor, how many events it may see are readable
    after it (`lag`, counted up to `LAG_COUNT_CAP`), and when it last acknowledged."""
    rows = await pool.fetch(
        _LIST,
        owner,
        None if types is None else sorted(types),
        None if scope is None else list(scope),
        LAG_COUNT_CAP,
    )
    return [
        {
            "name": r["name"],
            "cursor": event_cursor(Checkpoint(r["acked_tx_id"], r["acked_position"])),
            "position": r["acked_position"],
            "lag": r["lag"],
            "ackedAt": None if r["acked_at"] is None else r["acked_at"].isoformat(),
            "createdAt": r["created_at"].isoformat(),
        }
        for r in rows
    ]
