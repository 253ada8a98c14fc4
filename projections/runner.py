"""The projection runner: tails the log and keeps each read model's rows and checkpoint in step.

Each batch reads the events after the checkpoint the runner last saw, then applies them in
one transaction per projection: take the projection's advisory lock (so any number of
workers, in any number of processes, apply each event exactly once), check that the
checkpoint is still the one the events were read after (another worker may have moved it:
then read again from there), apply them, move the checkpoint, commit. A crash anywhere rolls
the whole batch back, rows and checkpoint together. Events a projection does not handle
still move its checkpoint. The log is read before the batch's connection is taken, so a
batch holds one pool connection at a time and any number of projections can catch up side
by side on a small pool.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol

from bridgework.services.ports import ORIGIN, Checkpoint

if TYPE_CHECKING:
    from collections.abc import Sequence

    import asyncpg
    from bridgework.projections.views import Connection
    from bridgework.services.ports import EventCodec, EventStore, StoredEvent

log = logging.getLogger("bridgework.projections")

_SETUP_LOCK = 0x70726F6A  # serialises `setup()` of processes starting together


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
        Applying them in smaller batches must give the same rows."""


class ProjectionRunner:
    def __init__(
        self,
        pool: asyncpg.Pool,
        store: EventStore,
        codec: EventCodec,
        projections: Sequence[Projection],
        *,
        poll_interval: float = 1.0,
        batch_size: int = 500,
    ) -> None:
        self._pool = pool
        self._store = store
        self._codec = codec
        self._projections = {p.name: p for p in projections}
        self._locks = {p.name: asyncio.Lock() for p in projections}
        self._seen = {p.name: ORIGIN for p in projections}
        """The checkpoint each projection was last seen at: where the next read starts."""
        self._poll_interval = poll_interval
        self._batch_size = batch_size

    def names(self) -> list[str]:
        return list(self._projections)

    async def setup(self) -> None:
        """Create the tables and checkpoints; rebuild any projection whose version changed.

        A changed projection's tables are dropped and created afresh, so a new version may
        also change their shape.
        """
        stale = []
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _SETUP_LOCK)
            for p in self._projections.values():
                version = await conn.fetchval(
                    "SELECT version FROM projection_checkpoints WHERE name = $1", p.name
                )
                if version is not None and version != p.version:
                    log.info("projection %s changed (v%d → v%d)", p.name, version, p.version)
                    await conn.execute(f"DROP TABLE IF EXISTS {', '.join(p.tables)} CASCADE")
                    stale.append(p.name)
                await conn.execute(p.schema)
                if version is None:
                    await conn.execute(
                        "INSERT INTO projection_checkpoints (name, version) VALUES ($1, $2)",
                        p.name,
                        p.version,
                    )
                elif version != p.version:
                    await self._reset(conn, p)
        for name in stale:
            self._seen[name] = ORIGIN
            await self.catch_up(name)

    async def _reset(self, conn: Connection, p: Projection) -> None:
        await conn.execute(f"TRUNCATE {', '.join(p.tables)}")
        await conn.execute(
            "UPDATE projection_checkpoints SET version = $2, tx_id = '0', position = 0,"
            " updated_at = now() WHERE name = $1",
            p.name,
            p.version,
        )

    async def rebuild(self, name: str) -> int:
        """Empty one projection and replay the whole log into it; return the events read."""
        p = self._projections[name]
        async with self._locks[name], self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", _lock_key(name))
            await self._reset(conn, p)
        self._seen[name] = ORIGIN
        return await self.catch_up(name)

    async def catch_up(self, name: str | None = None) -> int:
        """Apply batches until nothing more is readable; return how many events were read.

        Projections catch up side by side, each on its own connection."""
        chosen = self._projections.values() if name is None else [self._projections[name]]
        return sum(await asyncio.gather(*(self._drain(p) for p in chosen)))

    async def _drain(self, p: Projection) -> int:
        total = 0
        async with self._locks[p.name]:
            while (read := await self._batch(p)) != 0:
                total += read or 0
        return total

    async def _batch(self, p: Projection) -> int | None:
        """Apply the next batch; return the events read, or None when another worker had
        moved the checkpoint (the runner now knows where to read from)."""
        seen = self._seen[p.name]
        events = await self._store.read_after(seen, self._batch_size)
        if not events:
            return 0  # nothing after `seen`, so nothing after the (later) real checkpoint
        async with self._pool.acquire() as conn, conn.transaction():
            # An advisory lock rather than SELECT … FOR UPDATE: a transaction gets an id
            # (and so holds back every reader of the log) only once it writes.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", _lock_key(p.name))
            row = await conn.fetchrow(
                "SELECT tx_id, position FROM projection_checkpoints WHERE name = $1", p.name
            )
            if row is None:
                raise RuntimeError(f"projection {p.name!r} has no checkpoint: run setup() first")
            if Checkpoint(row[0], row[1]) != seen:
                self._seen[p.name] = Checkpoint(row[0], row[1])
                return None
            handled = [(e, self._codec.decode(e)) for e in events if e.event_type in p.handles]
            if handled:
                await p.apply_batch(conn, handled)
            last = events[-1].checkpoint
            await conn.execute(
                "UPDATE projection_checkpoints SET tx_id = $2, position = $3,"
                " updated_at = now() WHERE name = $1",
                p.name,
                last.tx_id,
                last.position,
            )
        self._seen[p.name] = last
        return len(events)

    async def run(self) -> None:
        """Follow the log until cancelled: each projection in its own task, catching up and
        then waiting for news (NOTIFY or poll), so a slow or failing one holds up no other."""
        async with asyncio.TaskGroup() as followers:
            for p in self._projections.values():
                followers.create_task(self._follow(p), name=f"projection-{p.name}")

    async def _follow(self, p: Projection) -> None:
        while True:
            try:
                await self._drain(p)
                await self._store.wait_for_new_events(self._poll_interval, after=self._seen[p.name])
            except Exception:
                log.exception("projection %s failed; retrying shortly", p.name)
                await asyncio.sleep(min(1.0, self._poll_interval))

    async def checkpoints(self) -> dict[str, Checkpoint]:
        rows = await self._pool.fetch(
            "SELECT name, tx_id, position FROM projection_checkpoints WHERE name = ANY($1)",
            self.names(),
        )
        return {r[0]: Checkpoint(r[1], r[2]) for r in rows}


def _lock_key(name: str) -> str:
    return f"bridgework.projection.{name}"
