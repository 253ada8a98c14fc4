"""The sender's SQL: claiming due messages, and recording what became of them.

A claim moves each message's `next_attempt_at` past a lease in the statement that takes it
(`FOR UPDATE SKIP LOCKED`), so another worker skips it until the lease ends. A parallel
endpoint's due messages are claimed one by one; an ordered endpoint's as a *run*: its first
pending message (its head, due) and up to `run` after it, all leased together and sent one
after another by one task, since no other worker may take any of them until the head is
delivered or dead anyway. What a run did not get to send is released when it stops."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.infra.webhooks.fanout import LIVE

if TYPE_CHECKING:
    from uuid import UUID

    import asyncpg

_PARALLEL = f"""
WITH due AS (
    SELECT m.seq FROM webhook_messages m JOIN webhook_endpoints e ON e.id = m.endpoint_id
    WHERE m.status = 'pending' AND m.next_attempt_at <= now()
      AND {LIVE} AND e.mode = 'parallel'
    ORDER BY m.next_attempt_at, m.seq
    LIMIT $1
    FOR UPDATE OF m SKIP LOCKED
)
UPDATE webhook_messages AS m
SET attempts = m.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
FROM due WHERE m.seq = due.seq
RETURNING m.seq, m.endpoint_id, m.event_id, m.position, m.attempts
"""  # noqa: S608 - the only interpolation is a constant condition

_HEADS = f"""
SELECT m.seq, m.endpoint_id FROM webhook_messages m JOIN webhook_endpoints e ON e.id = m.endpoint_id
WHERE m.status = 'pending' AND m.next_attempt_at <= now()
  AND {LIVE} AND e.mode = 'ordered'
  AND NOT EXISTS (SELECT FROM webhook_messages p
                  WHERE p.endpoint_id = m.endpoint_id AND p.status = 'pending' AND p.seq < m.seq)
ORDER BY m.next_attempt_at, m.seq
LIMIT $1
FOR UPDATE OF m SKIP LOCKED
"""  # noqa: S608 - the only interpolation is a constant condition

_RUNS = """
WITH run AS (
    SELECT seq FROM (
        SELECT m.seq, row_number() OVER (PARTITION BY m.endpoint_id ORDER BY m.seq) AS n
        FROM webhook_messages m
        JOIN unnest($1::uuid[], $2::bigint[]) AS h(endpoint_id, seq)
          ON m.endpoint_id = h.endpoint_id AND m.seq >= h.seq
        WHERE m.status = 'pending'
    ) numbered WHERE n <= $3
)
UPDATE webhook_messages AS m
SET attempts = m.attempts + 1, next_attempt_at = now() + make_interval(secs => $4)
FROM run WHERE m.seq = run.seq
RETURNING m.seq, m.endpoint_id, m.event_id, m.position, m.attempts
"""

_RECORD = """
WITH o AS (
    SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::float8[], $5::text[],
                         $6::float8[]) AS o(seq, code, error, ms, status, delay)
), attempt AS (
    INSERT INTO webhook_attempts (message_seq, status_code, error, duration_ms)
    SELECT seq, code, error, ms FROM o
)
UPDATE webhook_messages m SET status = o.status, last_error = o.error,
    next_attempt_at = now() + make_interval(secs => o.delay),
    delivered_at = CASE WHEN o.status = 'delivered' THEN now() END
FROM o WHERE m.seq = o.seq
"""

_FAILING = """
UPDATE webhook_endpoints e
SET failing_since = CASE WHEN x.ok THEN NULL ELSE coalesce(e.failing_since, now()) END
FROM unnest($1::uuid[], $2::bool[]) AS x(id, ok)
WHERE e.id = x.id AND (e.failing_since IS NULL) <> x.ok
"""

_RELEASE = """
UPDATE webhook_messages SET attempts = attempts - 1, next_attempt_at = now()
WHERE seq = ANY($1::bigint[]) AND status = 'pending'
"""

DISABLE_FAILING = """
UPDATE webhook_endpoints SET disabled_at = now(),
    disabled_reason = 'failing since ' || failing_since::text || ': ' || $3
WHERE id = $1 AND disabled_at IS NULL AND failing_since < now() - make_interval(secs => $2)
RETURNING id
"""


async def claim(
    pool: asyncpg.Pool, limit: int, lease: float, run: int
) -> tuple[list[asyncpg.Record], list[list[asyncpg.Record]]]:
    """Due messages of parallel endpoints, and runs of ordered ones (each in `seq` order)."""
    async with pool.acquire() as conn, conn.transaction():
        parallel = await conn.fetch(_PARALLEL, limit, lease)
        heads = await conn.fetch(_HEADS, limit)
        ordered = (
            await conn.fetch(
                _RUNS, [h["endpoint_id"] for h in heads], [h["seq"] for h in heads], run, lease
            )
            if heads
            else []
        )
    runs: dict[UUID, list[asyncpg.Record]] = {}
    for row in sorted(ordered, key=lambda r: r["seq"]):
        runs.setdefault(row["endpoint_id"], []).append(row)
    return list(parallel), list(runs.values())


async def record(
    pool: asyncpg.Pool,
    done: list[tuple[int, int | None, str | None, float, str, float]],
    endpoints: dict[UUID, bool],
    released: list[int],
) -> None:
    """Each attempt `(seq, status code, error, ms, status, seconds to the next)`, whether each
    endpoint's last answer was a success, and the messages a run did not get to."""
    async with pool.acquire() as conn, conn.transaction():
        if done:
            await conn.execute(_RECORD, *(list(column) for column in zip(*done, strict=True)))
        if endpoints:
            await conn.execute(_FAILING, list(endpoints), list(endpoints.values()))
        if released:
            await conn.execute(_RELEASE, released)
