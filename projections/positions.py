"""Read-your-writes: one watcher of the projection checkpoints per process.

A request that asks to see at least a position registers what it needs and waits. While
anyone waits, the watcher reads `projection_checkpoints` once per round (at once when the
first waiter arrives, then every `poll_interval`) and every waiter checks itself against
that one read; with nobody waiting it reads nothing. So the cost is a handful of small reads
a second however many requests wait, and a position beyond the head of the log is refused
before anything waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridgework.services.ports import Checkpoint

if TYPE_CHECKING:
    from collections.abc import Sequence

    import asyncpg
    from bridgework.services.ports import EventStore

log = logging.getLogger("bridgework.projections")

POLL_SECONDS = 0.02
KNOWN_TARGETS = 4096
"""Checkpoints of positions asked for lately: an event's checkpoint never changes."""


class PositionBeyondHead(ValueError):
    """Nothing has been written at this position yet, so no view can ever be waited for."""

    def __init__(self, position: int, head: int) -> None:
        self.position = position
        self.head = head
        super().__init__(f"{position} is beyond the last position written ({head})")


@dataclass
class WatcherStats:
    reads: int = 0
    """Reads of the checkpoint table: one per round, however many waiters it serves."""
    waits: int = 0
    caught_up: int = 0
    timed_out: int = 0


class PositionWatcher:
    def __init__(
        self, pool: asyncpg.Pool, store: EventStore, *, poll_interval: float = POLL_SECONDS
    ) -> None:
        self._pool = pool
        self._store = store
        self.poll_interval = poll_interval
        self.stats = WatcherStats()
        self._targets: dict[int, Checkpoint] = {}
        self._waiters = 0
        self._started = 0
        """Rounds begun so far."""
        self._finished = 0
        """The last round that ended, read or not."""
        self._read_in = 0
        """The round whose read `_checkpoints` holds."""
        self._checkpoints: dict[str, Checkpoint] = {}
        self._published = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def wait(
        self,
        position: int,
        timeout: float,  # noqa: ASYNC109 - a deadline shared with other waiters, not one await
        names: Sequence[str] | None = None,
    ) -> bool:
        """True once every (named) projection has applied the event at `position`; False if
        that has not happened within `timeout` seconds of the first look. Raises
        `PositionBeyondHead` at once for a position nothing has been written at yet."""
        if position <= 0:
            return True
        self.stats.waits += 1
        target = await self._target(position)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._waiters += 1
        registered = self._started  # only a round begun after this point may answer
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="position-watcher")
        try:
            while True:
                published = self._published
                if self._finished > registered:
                    if target is None:  # a gap below the head, or not yet visible
                        target = self._targets.get(position) or await self._known(position)
                    fresh = self._read_in > registered
                    if fresh and target is not None and self._reached(target, names):
                        self.stats.caught_up += 1
                        return True
                    if loop.time() >= deadline:
                        self.stats.timed_out += 1
                        return False
                    remaining = deadline - loop.time()
                else:
                    remaining = None  # the first look is always taken
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(published.wait(), remaining)
        finally:
            self._waiters -= 1

    def _reached(self, target: Checkpoint, names: Sequence[str] | None) -> bool:
        if names is None:
            found = list(self._checkpoints.values())
            return bool(found) and all(c >= target for c in found)
        checkpoints = self._checkpoints
        return all(n in checkpoints and checkpoints[n] >= target for n in names)

    async def _target(self, position: int) -> Checkpoint | None:
        if (known := self._targets.get(position)) is not None:
            return known
        target = await self._known(position)
        if target is None:
            head: int = await self._pool.fetchval("SELECT coalesce(max(position), 0) FROM events")
            if position > head:
                raise PositionBeyondHead(position, head)
        return target

    async def _known(self, position: int) -> Checkpoint | None:
        target = await self._store.checkpoint_of(position)
        if target is not None:
            if len(self._targets) >= KNOWN_TARGETS:
                self._targets.clear()
            self._targets[position] = target
        return target

    async def _run(self) -> None:
        while self._waiters:
            self._started += 1
            round_ = self._started
            try:
                rows = await self._pool.fetch(
                    "SELECT name, tx_id, position FROM projection_checkpoints"
                )
            except Exception:  # waiters time out as not caught up; the next round retries
                log.warning("could not read projection checkpoints", exc_info=True)
            else:
                self._checkpoints = {r[0]: Checkpoint(r[1], r[2]) for r in rows}
                self._read_in = round_
            self._finished = round_
            self.stats.reads += 1
            self._published.set()
            self._published = asyncio.Event()
            await asyncio.sleep(self.poll_interval)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
