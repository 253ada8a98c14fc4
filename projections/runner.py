"""The projection runner: sets the read models up, catches them up and follows the log,
each batch applied exactly once with its checkpoint (`projections.applying`), any number of
projections side by side on a small pool.

Following the log (`run()`), nothing stops a view for good. A failing batch is halved until
the event it fails on is alone; that event is retried with backoff, then parked for that
projection (`projections.parking`) in the transaction that moves its checkpoint past it.
A database outage is not the events' fault: it is waited out, and parks nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, assert_never

from bridgework.projections import parking
from bridgework.projections.applying import Applier
from bridgework.projections.faults import is_transient
from bridgework.projections.isolation import (
    Isolation,
    Park,
    Retry,
    Shrink,
)
from bridgework.projections.scrub import undecoded
from bridgework.services.ports import ORIGIN

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from bridgework.projections.applying import Projection
    from bridgework.projections.db import Connection
    from bridgework.projections.parking import ParkedEvent
    from bridgework.services.ports import StoredEvent

log = logging.getLogger("bridgework.projections")

_SETUP_LOCK = 0x70726F6A  # serialises `setup()` of processes starting together


class ProjectionRunner(Applier):
    """Sets the read models up, catches them up and follows the log; see the module."""

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
                    if p.tables:
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
            await self.catch_up(name, park=True)

    async def _reset(self, conn: Connection, p: Projection) -> None:
        if p.tables:  # the sealer keeps its tables (migration 0009): it never re-seals
            await conn.execute(f"TRUNCATE {', '.join(p.tables)}")
        await conn.execute(
            "UPDATE projection_checkpoints SET version = $2, tx_id = '0', position = 0,"
            " updated_at = now() WHERE name = $1",
            p.name,
            p.version,
        )
        await parking.resolve_all(conn, p.name, "rebuilt")
        self._isolation[p.name] = Isolation(self._batch_size, *self._retries)

    async def rebuild(self, name: str, on_batch: Callable[[int], None] | None = None) -> int:
        """Empty one projection and replay the whole log into it; return the events read.
        `on_batch` is told how many events each batch read (progress).

        Its open parked events are resolved as 'rebuilt': the replay meets them again, and
        parks those that still fail."""
        p = self._projections[name]
        async with self._locks[name], self._pool.acquire() as conn, conn.transaction():
            await self._lock(conn, name)
            await self._reset(conn, p)
        self._seen[name] = ORIGIN
        return await self.catch_up(name, park=True, on_batch=on_batch)

    async def catch_up(
        self,
        name: str | None = None,
        *,
        park: bool = False,
        on_batch: Callable[[int], None] | None = None,
    ) -> int:
        """Apply batches until nothing more is readable; return how many events were read.

        Projections catch up side by side, each on its own connection. By default the first
        failure is raised (its batch rolled back), for callers that want to see it; with
        `park`, as `run()` does, database outages are waited out and an event a projection
        keeps failing on is parked."""
        chosen = self._projections.values() if name is None else [self._projections[name]]
        drains = (self._drain(p, park=park, on_batch=on_batch) for p in chosen)
        return sum(await asyncio.gather(*drains))

    async def _drain(
        self, p: Projection, *, park: bool, on_batch: Callable[[int], None] | None = None
    ) -> int:
        total = 0
        async with self._locks[p.name]:
            while (read := await (self._step(p) if park else self._batch(p))) != 0:
                total += read or 0
                if on_batch is not None and read:
                    on_batch(read)
        return total

    # -- isolating failures -------------------------------------------------------------

    async def _step(self, p: Projection) -> int | None:
        """One try at the next batch that survives failures: the events moved past (0 when
        there are none to read), or None when it should simply be tried again."""
        try:
            return await self._isolating(p)
        except Exception as e:
            if not is_transient(e):
                raise
            await self._wait_out(p.name, e)
            return None

    async def _isolating(self, p: Projection) -> int | None:
        iso = self._isolation[p.name]
        events = await self._store.read_after(self._seen[p.name], iso.size)
        self._outage.reached(p.name)
        if not events:
            return 0
        try:
            if not await self._apply(p, events):
                return None
        except Exception as e:
            if is_transient(e):
                raise
            return await self._failed(p, events, e)
        iso.succeeded(events[-1].checkpoint)
        return len(events)

    async def _failed(
        self, p: Projection, events: Sequence[StoredEvent], error: Exception
    ) -> int | None:
        """Halve a failing batch; retry a failing event on its own, then park it."""
        self.stats[p.name].failures += 1
        first, why = events[0], parking.describe(error)
        verdict = self._isolation[p.name].failed(events)
        match verdict:
            case Shrink(size):
                log.warning(
                    "projection %s: a batch of %d events from position %d failed (%s);"
                    " isolating the failing event in batches of %d",
                    *(p.name, len(events), first.position, why, size),
                )
                return None
            case Retry(attempt, delay):
                log.warning(
                    "projection %s: event %d (%s) failed, try %d of %d (%s); again in %.2f s",
                    *(p.name, first.position, first.event_type, attempt, self._retries[0]),
                    *(why, delay),
                )
                await asyncio.sleep(delay)
                return None
            case Park(attempts) if undecoded(p):
                # Parking would leave a hole in the sealed tree: keep retrying instead.
                log.error(
                    "projection %s: event %d failed %d times (%s); it is never parked, retrying",
                    *(p.name, first.position, attempts, why),
                    exc_info=error,
                )
                self._isolation[p.name] = Isolation(self._batch_size, *self._retries)
                await asyncio.sleep(self._retries[2])
                return None
            case Park(attempts):
                return 1 if await self._park(p, first, error, attempts) else None
            case _:
                assert_never(verdict)

    async def _park(
        self, p: Projection, event: StoredEvent, error: Exception, attempts: int
    ) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            if not await self._at_seen(conn, p.name):
                return False  # another worker got past it first
            await parking.park(conn, p.name, event, error, attempts)
            await self._move(conn, p.name, event.checkpoint)
        self._seen[p.name] = event.checkpoint
        self._isolation[p.name].parked()
        self.stats[p.name].parked += 1
        log.error(
            "projection %s parked event %d (%s) after %d tries: %s",
            *(p.name, event.position, event.event_type, attempts, parking.describe(error)),
            exc_info=error,
        )
        return True

    async def _wait_out(self, name: str, error: Exception) -> None:
        self.stats[name].transient_faults += 1
        await asyncio.sleep(self._outage.fault(name, error, parking.describe(error)))

    # -- following ----------------------------------------------------------------------

    async def run(self) -> None:
        """Follow the log until cancelled: each projection in its own task, catching up and
        then waiting for news (NOTIFY or poll), so a slow or failing one holds up no other."""
        async with asyncio.TaskGroup() as followers:
            for p in self._projections.values():
                followers.create_task(self._follow(p), name=f"projection-{p.name}")

    async def _follow(self, p: Projection) -> None:
        while True:
            try:
                await self._drain(p, park=True)
                await self._store.wait_for_new_events(self._poll_interval, after=self._seen[p.name])
            except Exception as e:
                if is_transient(e):
                    await self._wait_out(p.name, e)
                    continue
                log.exception("projection %s failed; retrying shortly", p.name)
                await asyncio.sleep(min(1.0, self._poll_interval))

    # -- parked events ------------------------------------------------------------------

    async def parked(
        self, name: str | None = None, *, include_resolved: bool = False
    ) -> list[ParkedEvent]:
        """Parked events of one projection or all of them, open ones only unless
        `include_resolved`; by position."""
        names = self.names() if name is None else [self._projection(name).name]
        return await parking.listed(self._pool, names, include_resolved=include_resolved)

    async def retry_parked(self, name: str, position: int) -> None:
        """Apply one parked event to its projection now and resolve it as 'retried'.

        The projection has moved on since, so the event is applied after events that came
        later in the log: its handlers must give the same rows in that order (or rebuild the
        projection instead, which applies everything in order). If it fails again, it stays
        parked with the new error and `RetryFailed` is raised.
        """
        p = self._projection(name)
        await parking.retry(self._pool, self._store, self._codec, p, position, lock=self._lock)
        log.info("projection %s applied parked event %d on retry", name, position)

    async def skip_parked(self, name: str, position: int) -> None:
        """Resolve a parked event as 'skipped': its projection will never apply it."""
        self._projection(name)
        if not await parking.resolve(self._pool, name, position, "skipped"):
            await parking.open_one(self._pool, name, position)  # raises, saying why
        log.info("projection %s skipped parked event %d", name, position)
