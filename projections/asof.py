"""Every read model as of a past position or time: scratch schemas replayed by
`projections/replay.py`, kept and bounded.

A request takes a `Lease` on the schema of its checkpoint: a pool whose connections read
that schema first (then `public`, for the log), so the query code that serves live views
serves past ones unchanged. Built schemas are kept, least recently used first out, beyond
`max_schemas` or once older than `max_age_seconds`; an evicted schema is dropped when its
last lease ends. At most `max_builds` build at once, and one checkpoint asked for by many
requests together builds once. A build replaying more than `max_events` is refused.

A schema's name says what built it (`asof_<fingerprint>_<position>_<erasure>`): a new
migration or projection version changes the fingerprint, and a later erasure (which
scrubs past views too) the last part, so a stale schema is never read. Builds run under a
temporary name (`asof_tmp_…`) held by a session advisory lock and are renamed when
complete: a crashed build is never read, and `start()` drops what it left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from uuid import uuid4

from bridgework.projections import replay
from bridgework.projections.replay import as_checkpoint

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence
    from datetime import datetime

    import asyncpg
    from bridgework.projections.applying import Projection
    from bridgework.services.ports import Checkpoint, EventCodec, EventStore

    OpenPool = Callable[[str, int], Awaitable[asyncpg.Pool]]
    """A pool whose connections have this search_path, of at most this many connections."""

log = logging.getLogger("bridgework.projections")

READER_CONNECTIONS = 4


class AsOfRefused(ValueError):
    """An as-of request that cannot be served; `field` names the argument at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AsOfLimits:
    max_schemas: int = 8
    max_age_seconds: float = 3600.0
    max_builds: int = 2
    max_events: int = 1_000_000
    batch_size: int = 2000


@dataclass(eq=False)
class _Built:
    schema: str
    reader: asyncpg.Pool
    built_at: float = field(default_factory=time.monotonic)
    leases: int = 0
    evicted: bool = False


@dataclass(eq=False)
class Lease:
    """One request's hold on a built schema: it is not dropped until released."""

    checkpoint: Checkpoint
    reader: asyncpg.Pool
    _release: Callable[[], Awaitable[None]]
    released: bool = False

    async def release(self) -> None:
        if not self.released:
            self.released = True
            await self._release()


class AsOfViews:
    """The scratch schemas of one process; see the module."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        store: EventStore,
        codec: EventCodec,
        projections: Sequence[Projection],
        open_pool: OpenPool,
        *,
        migrations: Sequence[str],
        limits: AsOfLimits | None = None,
    ) -> None:
        self._pool, self._store, self._codec = pool, store, codec
        self._projections = list(projections)
        self._open_pool = open_pool
        self.limits = limits or AsOfLimits()
        self.fingerprint = replay.fingerprint(self._projections, migrations)
        self._built: OrderedDict[str, _Built] = OrderedDict()
        self._building: dict[str, asyncio.Task[_Built]] = {}
        self._builds = asyncio.Semaphore(self.limits.max_builds)
        self.builds = 0
        """How many schemas this process has built (tests, metrics)."""

    async def start(self) -> None:
        """Drop what crashed builds left and schemas built by other code versions."""
        for name in await self._schemas("asof_%"):
            if name.startswith("asof_tmp_"):
                async with self._pool.acquire() as conn:
                    if await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", name):
                        await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
                        await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", name)
            elif not name.startswith(f"asof_{self.fingerprint}_"):
                await self._pool.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    async def close(self) -> None:
        for task in self._building.values():
            task.cancel()
        await asyncio.gather(*self._building.values(), return_exceptions=True)
        for built in self._built.values():
            await built.reader.close()
        self._built.clear()

    # -- which checkpoint ---------------------------------------------------------------

    async def checkpoint(self, *, position: int | None, at: datetime | None) -> Checkpoint:
        """The checkpoint of `position` (every event at or below it) or of `at` (the last
        gap-safe prefix recorded by then); exactly one of them."""
        if (position is None) == (at is None):
            raise AsOfRefused("position", "give exactly one of position and at")
        if position is not None:
            if position < 0:
                raise AsOfRefused("position", f"position must be 0 or more, got {position}")
            end = await self._pool.fetchval(replay.VISIBLE_END)
            if position > end:
                raise AsOfRefused(
                    "position", f"position {position} is past the log's visible end ({end})"
                )
            return as_checkpoint(await self._pool.fetchrow(replay.AT_POSITION, position))
        if at is None or at.tzinfo is None:
            raise AsOfRefused("at", "at must be a date and time with a time zone")
        return as_checkpoint(await self._pool.fetchrow(replay.AT_TIME, at))

    # -- leases -------------------------------------------------------------------------

    async def lease(self, checkpoint: Checkpoint, *, field: str = "position") -> Lease:
        """The schema of `checkpoint`, built now if need be; release the lease when done."""
        erasure = await self._pool.fetchval(replay.LAST_ERASURE) or 0
        name = f"asof_{self.fingerprint}_{checkpoint.position}_{erasure}"
        await self._expire()
        built = self._built.get(name)
        if built is None:
            task = self._building.get(name)
            if task is None:
                task = self._building[name] = asyncio.create_task(
                    self._build(name, checkpoint, field), name=f"as-of {name}"
                )
                task.add_done_callback(lambda _: self._building.pop(name, None))
            built = await asyncio.shield(task)
        self._built.move_to_end(name)
        built.leases += 1
        await self._expire()
        return Lease(checkpoint, built.reader, lambda: self._released(built))

    async def _released(self, built: _Built) -> None:
        built.leases -= 1
        if built.evicted and built.leases == 0:
            await self._drop(built)

    async def _expire(self) -> None:
        now, limits = time.monotonic(), self.limits
        for name, built in list(self._built.items()):
            too_many = len(self._built) > limits.max_schemas
            if too_many or now - built.built_at > limits.max_age_seconds:
                del self._built[name]
                built.evicted = True
                if built.leases == 0:
                    await self._drop(built)

    async def _drop(self, built: _Built) -> None:
        await built.reader.close()
        await self._pool.execute(f'DROP SCHEMA IF EXISTS "{built.schema}" CASCADE')
        log.info("as-of schema %s dropped", built.schema)

    # -- building -----------------------------------------------------------------------

    async def _build(self, name: str, checkpoint: Checkpoint, field: str) -> _Built:
        async with self._builds:
            if not await self._exists(name):
                count = await self._pool.fetchval(replay.COUNT_UPTO, *checkpoint)
                if count > self.limits.max_events:
                    raise AsOfRefused(
                        field,
                        f"that view needs {count} events replayed, more than the limit of "
                        f"{self.limits.max_events} (BRIDGEWORK_ASOF_MAX_EVENTS)",
                    )
                await self._replay(name, checkpoint)
            built = _Built(name, await self._open_pool(f"{name}, public", READER_CONNECTIONS))
            self._built[name] = built
            return built

    async def _replay(self, name: str, checkpoint: Checkpoint) -> None:
        temporary = f"asof_tmp_{uuid4().hex[:16]}"
        started = time.monotonic()
        builder = await self._open_pool(f"{temporary}, public", 1)
        try:
            async with builder.acquire() as conn:
                await conn.execute("SELECT pg_advisory_lock(hashtext($1))", temporary)
                await conn.execute(f'CREATE SCHEMA "{temporary}"')
                try:
                    events = await replay.replay_into(
                        conn,
                        self._store,
                        self._codec,
                        self._projections,
                        checkpoint,
                        schema=temporary,
                        batch_size=self.limits.batch_size,
                    )
                    async with conn.transaction():
                        if await self._exists(name):  # another process finished it first
                            await conn.execute(f'DROP SCHEMA "{temporary}" CASCADE')
                        else:
                            await conn.execute(f'ALTER SCHEMA "{temporary}" RENAME TO "{name}"')
                except BaseException:
                    with contextlib.suppress(Exception):
                        await conn.execute(f'DROP SCHEMA IF EXISTS "{temporary}" CASCADE')
                    raise
        finally:
            await builder.close()  # ends the session, and its advisory lock
        self.builds += 1
        log.info(
            "as-of schema %s built: %d events in %.2f s",
            *(name, events, time.monotonic() - started),
        )

    async def _exists(self, name: str) -> bool:
        found = await self._pool.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", name)
        return found is not None

    async def _schemas(self, like: str) -> list[str]:
        rows = await self._pool.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 ORDER BY nspname", like
        )
        return [r[0] for r in rows]
