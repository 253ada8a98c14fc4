"""Applying the log to read models exactly once: each batch of events read after the
checkpoint the runner last saw is applied in one transaction per projection. It takes the
projection's advisory lock (so any number of workers, in any number of processes, apply each
event exactly once), checks that the checkpoint is still the one the events were read after
(another worker may have moved it: then read again from there), applies them, moves the
checkpoint, commits. A crash anywhere rolls the whole batch back, rows and checkpoint
together. Events a projection does not handle still move its checkpoint. The log is read
before the batch's connection is taken, so a batch holds one pool connection at a time.

`projections.runner` builds on this: setup and rebuild, catching up, following the log, and
isolating the events a projection fails on.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Protocol

from bridgework.projections import parking
from bridgework.projections.isolation import Isolation, Outage, ProjectionStats
from bridgework.projections.scrub import apply_events, undecoded, wants
from bridgework.services.ports import ORIGIN, Checkpoint

if TYPE_CHECKING:
    from collections.abc import Sequence

    import asyncpg
    from bridgework.projections.db import Connection
    from bridgework.services.ports import EventCodec, EventStore, StoredEvent


class Projection(Protocol):
    """A read model: its tables, the events it handles, and how it applies them."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> int:
        """Bump it when the tables or the handling change: `setup()` then rebuilds."""

    @property
    def schema(self) -> str:
        """Idempotent DDL for its tables."""

    @property
    def tables(self) -> Sequence[str]: ...
    @property
    def handles(self) -> frozenset[str]:
        """Stable event type names it applies; the rest only move its checkpoint."""

    async def apply_batch(
        self, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
    ) -> None:
        """Write the effect of the handled events of one batch (stored and decoded), in
        order, inside the batch's transaction; in a few round trips, not one per event.
        Applying them in smaller batches must give the same rows.

        A read model holding students' personal values also lists `erases`: statements
        ($1 the student) that scrub them on `StudentErased` (`projections/scrub.py`)."""


class Applier:
    """The read models, their checkpoints, and one batch applied exactly once."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        store: EventStore,
        codec: EventCodec,
        projections: Sequence[Projection],
        *,
        poll_interval: float = 1.0,
        batch_size: int = 500,
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        statement_timeout: float = 30.0,
    ) -> None:
        """`max_attempts` tries of an event on its own, `backoff_base` seconds after the
        first failure and doubling up to `backoff_cap`, before it is parked; every statement
        of a batch may run for `statement_timeout` seconds (a batch that exceeds it shrinks)."""
        for field, value in (
            ("batch_size", batch_size),
            ("max_attempts", max_attempts),
            ("poll_interval", poll_interval),
            ("backoff_base", backoff_base),
            ("backoff_cap", backoff_cap),
            ("statement_timeout", statement_timeout),
        ):
            if value <= 0:
                raise ValueError(f"{field} must be greater than 0, not {value}")
        self._pool = pool
        self._store = store
        self._codec = codec
        self._projections = {p.name: p for p in projections}
        self._locks = {p.name: asyncio.Lock() for p in projections}
        self._seen = {p.name: ORIGIN for p in projections}
        """The checkpoint each projection was last seen at: where the next read starts."""
        self._poll_interval = poll_interval
        self._batch_size = batch_size
        self._retries = (max_attempts, backoff_base, backoff_cap)
        self._timeout_ms = str(max(1, round(statement_timeout * 1000)))
        self._isolation = {p.name: Isolation(batch_size, *self._retries) for p in projections}
        self._outage = Outage(backoff_base)
        self.stats = {p.name: ProjectionStats() for p in projections}

    def names(self) -> list[str]:
        return list(self._projections)

    def _projection(self, name: str) -> Projection:
        if name not in self._projections:
            raise parking.UnknownParkedEvent(
                f"unknown projection {name!r}; known: {', '.join(self._projections)}"
            )
        return self._projections[name]

    async def _batch(self, p: Projection) -> int | None:
        """Apply the next batch; return the events read, or None when another worker had
        moved the checkpoint (the runner now knows where to read from)."""
        events = await self._store.read_after(self._seen[p.name], self._batch_size)
        if not events:
            return 0  # nothing after `seen`, so nothing after the (later) real checkpoint
        return len(events) if await self._apply(p, events) else None

    async def _apply(self, p: Projection, events: Sequence[StoredEvent]) -> bool:
        """Apply events read after `seen` in one transaction; False if the checkpoint had
        moved on (then nothing is applied, and the next read starts from where it is)."""
        async with self._pool.acquire() as conn, conn.transaction():
            if not await self._at_seen(conn, p.name):
                return False
            if undecoded(p):
                await p.apply_batch(conn, [(e, None) for e in events])
            elif handled := [(e, self._codec.decode(e)) for e in events if wants(p, e.event_type)]:
                await apply_events(p, conn, handled)
            await self._move(conn, p.name, events[-1].checkpoint)
        self._seen[p.name] = events[-1].checkpoint
        stats = self.stats[p.name]
        stats.batches += 1
        stats.events += len(events)
        return True

    async def _lock(self, conn: Connection, name: str) -> None:
        # An advisory lock rather than SELECT … FOR UPDATE: a transaction gets an id (and so
        # holds back every reader of the log) only once it writes. The timeout is set in the
        # same statement, so it applies to the statements after it, not to waiting here.
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1)), set_config('statement_timeout', $2, true)",
            _lock_key(name),
            self._timeout_ms,
        )

    async def _at_seen(self, conn: Connection, name: str) -> bool:
        """Lock the projection; True if its checkpoint is still the one last seen."""
        await self._lock(conn, name)
        row = await conn.fetchrow(
            "SELECT tx_id, position FROM projection_checkpoints WHERE name = $1", name
        )
        if row is None:
            raise RuntimeError(f"projection {name!r} has no checkpoint: run setup() first")
        if Checkpoint(row[0], row[1]) != self._seen[name]:
            self._seen[name] = Checkpoint(row[0], row[1])
            return False
        return True

    async def _move(self, conn: Connection, name: str, to: Checkpoint) -> None:
        await conn.execute(
            "UPDATE projection_checkpoints SET tx_id = $2, position = $3,"
            " updated_at = now() WHERE name = $1",
            name,
            to.tx_id,
            to.position,
        )

    async def checkpoints(self) -> dict[str, Checkpoint]:
        rows = await self._pool.fetch(
            "SELECT name, tx_id, position FROM projection_checkpoints WHERE name = ANY($1)",
            self.names(),
        )
        return {r[0]: Checkpoint(r[1], r[2]) for r in rows}


def _lock_key(name: str) -> str:
    return f"bridgework.projection.{name}"
