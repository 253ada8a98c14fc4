"""One shared tail of the log per process, for live subscribers.

A subscriber catches up with its own paged reads (the consumer of the async generator sets
the pace), then joins the tail: one reader that reads each new batch of the log once and
hands it to every subscriber at the head. The tail keeps its last few batches, so a
subscriber that reached the end of the log a moment ago joins without a gap. One that cannot
keep up (its bounded queue would overflow) is let go and catches up by itself again from
exactly where it was: the tail never waits for anyone, and nobody misses or repeats an event.

Transient database failures (a restart, a dropped connection) are retried with backoff from
the same checkpoint, so a subscriber sees a pause, never an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from bridgework.projections.faults import is_transient

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence

    from bridgework.services.ports import Checkpoint, EventStore, StoredEvent

log = logging.getLogger("bridgework.live")

T = TypeVar("T")

PAGE = 500
IDLE_WAIT_SECONDS = 30.0
QUEUE_EVENTS = 5_000
"""Events a live subscriber may have waiting before it is let go to catch up alone."""
WINDOW_EVENTS = 1_000
"""Recent events the tail keeps, so a subscriber just behind it can join."""
FAN_OUT_SLICE = 16
"""Subscribers woken per turn of the event loop: waking hundreds at once would make every
other request wait behind all of their sends."""
BACKOFF_FIRST_SECONDS = 0.1
BACKOFF_MAX_SECONDS = 5.0


@dataclass
class TailStats:
    """Counters of one process's live tail, for the metrics collector."""

    reads: int = 0
    """Reads of the log by the tail itself (shared by every live subscriber)."""
    events: int = 0
    joined: int = 0
    let_go: int = 0
    """Subscribers that fell too far behind and went back to catching up alone."""
    live: int = 0


class _Listener:
    """One live subscriber's queue of batches, bounded in events."""

    def __init__(self, after: Checkpoint, capacity: int) -> None:
        self._after = after
        self._capacity = capacity
        self._batches: deque[Sequence[StoredEvent]] = deque()
        self._queued = 0
        self._ready = asyncio.Event()
        self.let_go = False

    def offer(self, batch: Sequence[StoredEvent]) -> bool:
        """Queue the part of `batch` after what it has; False when it has no room left."""
        if batch[-1].checkpoint <= self._after:
            return True
        if batch[0].checkpoint <= self._after:
            batch = [e for e in batch if e.checkpoint > self._after]
        if self._queued + len(batch) > self._capacity:
            self.release()
            return False
        self._batches.append(batch)
        self._queued += len(batch)
        self._after = batch[-1].checkpoint
        self._ready.set()
        return True

    def release(self) -> None:
        """No more batches: once it has taken what is queued, it reads on alone."""
        self.let_go = True
        self._ready.set()

    async def next(self) -> Sequence[StoredEvent] | None:
        """The next batch; None once it was let go and has taken everything queued."""
        while not self._batches:
            if self.let_go:
                return None
            self._ready.clear()
            await self._ready.wait()
        batch = self._batches.popleft()
        self._queued -= len(batch)
        return batch


class LiveTail:
    """The log followed once per process and fanned out to every live subscriber."""

    def __init__(
        self,
        store: EventStore,
        *,
        queue_events: int = QUEUE_EVENTS,
        window_events: int = WINDOW_EVENTS,
    ) -> None:
        self._store = store
        self._capacity = queue_events
        self._window_limit = min(window_events, queue_events)
        self._listeners: set[_Listener] = set()
        self._window: deque[Sequence[StoredEvent]] = deque()
        self._window_events = 0
        self._start: Checkpoint | None = None
        """Where the window begins: every event after it up to `_head` is in the window."""
        self._head: Checkpoint | None = None
        self._task: asyncio.Task[None] | None = None
        self.stats = TailStats()

    async def _retrying(self, attempt: Callable[[], Awaitable[T]], what: str) -> T:
        """`attempt()` until it does not fail transiently, backing off; other errors propagate.

        The pause is a wait for the store's next wake-up, which comes when LISTEN is back
        (and every 0.25 s while it is not), so the database answering again ends it early."""
        delay, failures = BACKOFF_FIRST_SECONDS, 0
        while True:
            try:
                result = await attempt()
            except Exception as e:
                if not is_transient(e):
                    raise
                failures += 1
                level = logging.WARNING if failures == 1 else logging.DEBUG
                log.log(level, "%s failed (%s); retrying", what, type(e).__name__)
            else:
                if failures:
                    log.info("%s again after %d failed attempts", what, failures)
                return result
            await self._store.wait_for_new_events(delay)
            delay = min(delay * 2, BACKOFF_MAX_SECONDS)

    async def follow(self, after: Checkpoint) -> AsyncGenerator[Sequence[StoredEvent]]:
        """Every event after `after`, in the log's order, as batches; never ends by itself."""
        cursor = after
        while True:
            read = functools.partial(self._store.read_after, cursor, PAGE)
            page = await self._retrying(read, "catching up")
            if page:
                yield page
                cursor = page[-1].checkpoint
                if len(page) == PAGE:
                    continue
            listener = self._join(cursor)
            if listener is None:  # behind the window: read on alone
                if not page:
                    wait = functools.partial(
                        self._store.wait_for_new_events, IDLE_WAIT_SECONDS, after=cursor
                    )
                    await self._retrying(wait, "waiting for events")
                continue
            try:
                while (batch := await listener.next()) is not None:
                    yield batch
                    cursor = batch[-1].checkpoint
            finally:
                self._leave(listener)

    def _join(self, cursor: Checkpoint) -> _Listener | None:
        if self._task is None or self._task.done():
            self._start = self._head = cursor
            self._window.clear()
            self._window_events = 0
            self._task = asyncio.create_task(self._run(), name="live-tail")
        elif self._start is None or cursor < self._start:
            return None
        listener = _Listener(cursor, self._capacity)
        for batch in self._window:  # the window fits in a queue: this always has room
            listener.offer(batch)
        self._listeners.add(listener)
        self.stats.joined += 1
        self.stats.live = len(self._listeners)
        return listener

    def _leave(self, listener: _Listener) -> None:
        self._listeners.discard(listener)
        self.stats.live = len(self._listeners)

    async def _run(self) -> None:
        try:
            while self._listeners:
                await self._retrying(self._step, "following the log")
        except Exception:
            log.exception("the live tail stopped; its subscribers read on their own")
            for listener in self._listeners:
                listener.release()
            self._listeners.clear()

    async def _step(self) -> None:
        head = self._head
        assert head is not None  # noqa: S101 - set by `_join` before the task starts
        self.stats.reads += 1
        batch = await self._store.read_after(head, PAGE)
        if not batch:
            await self._store.wait_for_new_events(IDLE_WAIT_SECONDS, after=head)
            return
        self.stats.events += len(batch)
        self._remember(batch)
        self._head = batch[-1].checkpoint
        # Whoever joins from here on finds this batch in the window, so fan out to the
        # listeners of now only.
        listeners = list(self._listeners)
        for i, listener in enumerate(listeners):
            if i and i % FAN_OUT_SLICE == 0:
                await asyncio.sleep(0)
            if not listener.offer(batch):
                self._listeners.discard(listener)
                self.stats.let_go += 1
        self.stats.live = len(self._listeners)

    def _remember(self, batch: Sequence[StoredEvent]) -> None:
        self._window.append(batch)
        self._window_events += len(batch)
        while self._window_events > self._window_limit and len(self._window) > 1:
            dropped = self._window.popleft()
            self._window_events -= len(dropped)
            self._start = dropped[-1].checkpoint
        if self._window_events > self._window_limit:  # one batch larger than the window
            self._window.clear()
            self._window_events = 0
            self._start = batch[-1].checkpoint

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
