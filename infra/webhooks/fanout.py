"""The fan-out: the log, in its one gap-safe order, to every enabled endpoint's messages.

Each endpoint keeps a checkpoint in the log, like a projection: the messages up to it and
the checkpoint itself are written in one transaction, so a crash anywhere neither skips nor
repeats an event for an endpoint. Each round first takes the *horizon*, the last event below
the oldest running transaction (nothing can commit behind it any more), then reads each
endpoint's events up to it; an endpoint whose filters match nothing still moves to it, so it
never reads the same stretch twice. Several fan-outs may run: the checkpoint is moved only
from where this one read it (another that moved it first wins, this one's round rolls back),
and a message exists once per endpoint and event."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bridgework.services.ports import Checkpoint

if TYPE_CHECKING:
    import asyncpg

log = logging.getLogger("bridgework.webhooks")

CHANNEL = "bridgework_webhooks"
"""Notified after new messages commit: the senders LISTEN on it."""
BATCH = 1000

HORIZON = """
SELECT tx_id, position FROM events WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY tx_id DESC, position DESC LIMIT 1
"""
"""The last event no running transaction can commit before: nothing will appear behind it
(also where a new endpoint starts)."""

_MATCHING = """
SELECT tx_id, position, event_id FROM events
WHERE (tx_id, position) > ($1::xid8, $2::bigint) AND (tx_id, position) <= ($3::xid8, $4::bigint)
  AND ($5::text[] IS NULL OR event_type = ANY($5::text[]))
  AND ($6::uuid[] IS NULL OR scope && $6::uuid[])
ORDER BY tx_id, position LIMIT $7
"""

_ENQUEUE = """
WITH moved AS (
    UPDATE webhook_endpoints SET after_tx = $2::xid8, after_position = $3
    WHERE id = $1 AND after_tx = $4::xid8 AND after_position = $5 AND disabled_at IS NULL
    RETURNING id
), added AS (
    INSERT INTO webhook_messages (endpoint_id, event_id, position)
    SELECT moved.id, m.event_id, m.position
    FROM moved, unnest($6::uuid[], $7::bigint[]) WITH ORDINALITY AS m(event_id, position, n)
    ORDER BY m.n
    ON CONFLICT (endpoint_id, event_id) DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM added)
"""


class FanOut:
    def __init__(self, pool: asyncpg.Pool, batch: int = BATCH) -> None:
        self.pool = pool
        self.batch = batch
        self.horizon = Checkpoint(0, 0)

    async def once(self) -> int:
        """One round over every enabled endpoint; the number of messages enqueued."""
        top = await self.pool.fetchrow(HORIZON)
        if top is None:
            return 0
        self.horizon = horizon = Checkpoint(top["tx_id"], top["position"])
        endpoints = await self.pool.fetch(
            "SELECT id, event_types, organisations, after_tx, after_position"
            " FROM webhook_endpoints WHERE disabled_at IS NULL"
            " AND (after_tx, after_position) < ($1::xid8, $2::bigint)",
            *horizon,
        )
        added = 0
        for endpoint in endpoints:
            added += await self._advance(endpoint, horizon)
        if added:
            await self.pool.execute("SELECT pg_notify($1, '')", CHANNEL)  # after the commits
        return added

    async def _advance(self, endpoint: asyncpg.Record, horizon: Checkpoint) -> int:
        start = Checkpoint(endpoint["after_tx"], endpoint["after_position"])
        added = 0
        while start < horizon:
            rows = await self.pool.fetch(
                _MATCHING,
                *start,
                *horizon,
                endpoint["event_types"],
                endpoint["organisations"],
                self.batch,
            )
            end = Checkpoint(rows[-1][0], rows[-1][1]) if len(rows) == self.batch else horizon
            done = await self.pool.fetchrow(
                _ENQUEUE,
                endpoint["id"],
                *end,
                *start,
                [r[2] for r in rows],
                [r[1] for r in rows],
            )
            assert done is not None  # noqa: S101 - a SELECT of two counts
            moved, enqueued = done
            if not moved:  # another fan-out moved it (or it was disabled): theirs stands
                return added
            added += enqueued
            start = end
        return added
