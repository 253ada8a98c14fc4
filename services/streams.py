"""What one process keeps about streams between commands: a lock per stream in use, and the
aggregates it last committed.

Same-stream commands in one process queue behind the stream's lock (taken at the load,
released after the commit) instead of racing each other into version conflicts, so
conflicts only happen across processes. A command whose first stream is held joins the
stream's queue (`join`); the holder takes queued commands (`take`) and decides them in its
group (`services/group.py`), and hands the lock itself to the first one still queued when
it releases it, so a queue moves in order, a group per commit. Any further stream a command
loads is locked only if that is free at once, so two commands can never wait for each other
(a stream loaded without its lock is checked by its expected version at the append, as
before).

The cache holds each aggregate as of the version it was committed at. A command takes the
aggregate out while it holds the stream's lock and puts it back only after its own commit:
a failed or refused decision can never leave its mutated state behind.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.domain.base import BridgeworkAggregate

CACHED_AGGREGATES = 2_000
"""Aggregates kept per process; the least recently committed ones go first."""


LEAD = "lead"
"""What a queued command is told when the lock is handed to it: it decides its own group."""


class Queued:
    """A command queued on a stream: told its outcome (or `LEAD`) through `future`."""

    stream_id: str
    future: asyncio.Future[object]

    def settle(self, outcome: object) -> None:
        """Tell the queued command its result (or `LEAD`); an exception is raised to it."""
        if self.future.done():  # its caller went away
            return
        if isinstance(outcome, BaseException):
            self.future.set_exception(outcome)
        else:
            self.future.set_result(outcome)


class _Held:
    __slots__ = ("lock", "owner", "queue", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.owner: asyncio.Task[object] | None = None
        self.users = 0
        """Holders, waiters and queued commands: the entry goes when the last one leaves."""
        self.queue: deque[Queued] = deque()


class StreamLocks:
    """One asyncio lock per stream while anyone holds or waits for it."""

    def __init__(self) -> None:
        self._held: dict[str, _Held] = {}
        self._holding: dict[asyncio.Future[Any] | None, int] = {}
        """How many stream locks each task holds."""

    async def acquire(self, stream_id: str, *, wait: bool) -> bool:
        """Take the stream's lock; without `wait`, only if nobody holds or awaits it.

        A task that holds a stream's lock never waits for another: a command run from inside
        another (in the same task) goes on without the lock, as one of another process would.
        """
        task = asyncio.current_task()
        wait = wait and not self._holding.get(task)
        held = self._held.get(stream_id)
        if held is None:
            held = self._held[stream_id] = _Held()
        elif held.users and not wait:
            return False
        held.users += 1
        try:
            await held.lock.acquire()
        except BaseException:
            self._leave(stream_id, held)
            raise
        held.owner = task
        self._holding[task] = self._holding.get(task, 0) + 1
        return True

    def busy(self, stream_id: str) -> bool:
        """Whether anyone holds, waits for or is queued on the stream, for a task that may
        queue: one holding a lock (a command run inside another) never waits."""
        held = self._held.get(stream_id)
        mine = self._holding.get(asyncio.current_task())
        return held is not None and held.users > 0 and not mine

    def join(self, queued: Queued) -> None:
        """Queue a command on a busy stream (`busy`): its holder decides it or hands it the
        lock."""
        held = self._held[queued.stream_id]
        held.users += 1
        held.queue.append(queued)

    def take(self, stream_id: str) -> Queued | None:
        """The first command still queued on a stream this task holds, off the queue."""
        held = self._held[stream_id]
        while held.queue:
            queued = held.queue.popleft()
            held.users -= 1
            if not queued.future.done():
                return queued
        return None

    def put_back(self, queued: Sequence[Queued]) -> None:
        """Queue taken commands again, first in line in the order given (their streams are
        still held by the caller)."""
        for q in reversed(queued):
            held = self._held[q.stream_id]
            held.users += 1
            held.queue.appendleft(q)

    def lend(self, task: asyncio.Future[Any]) -> None:
        """Let `task` act for the holder while it runs (the holder's commit, shielded from its
        caller going away): a command run inside it goes on without locks, never queues."""
        self._holding[task] = self._holding.get(task, 0) + 1
        task.add_done_callback(self._returned)

    def _returned(self, task: asyncio.Future[Any]) -> None:
        if self._holding[task] > 1:
            self._holding[task] -= 1
        else:
            del self._holding[task]

    def claim(self, stream_id: str) -> None:
        """Take over a lock handed over by `release` (the caller was told `LEAD`)."""
        held = self._held[stream_id]
        held.owner = task = asyncio.current_task()
        self._holding[task] = self._holding.get(task, 0) + 1

    def release(self, stream_id: str) -> None:
        held = self._held[stream_id]
        if held.owner is not None:
            if self._holding[held.owner] > 1:
                self._holding[held.owner] -= 1
            else:
                del self._holding[held.owner]
        held.owner = None
        if (queued := self.take(stream_id)) is not None:
            held.users += 1  # the lock stays locked: it is the queued command's now
            queued.settle(LEAD)
        else:
            held.lock.release()
        self._leave(stream_id, held)

    def _leave(self, stream_id: str, held: _Held) -> None:
        held.users -= 1
        if not held.users:
            del self._held[stream_id]

    def __len__(self) -> int:
        return len(self._held)


class Cached(NamedTuple):
    aggregate: BridgeworkAggregate
    snapshot_version: int
    """The version of the newest snapshot known to be stored (0 for none)."""


class AggregateCache:
    """A bounded map of stream → aggregate as of its last commit in this process."""

    def __init__(self, size: int = CACHED_AGGREGATES) -> None:
        self.size = size
        self._entries: OrderedDict[str, Cached] = OrderedDict()

    def take(self, stream_id: str) -> Cached | None:
        """Remove and return the entry: its taker owns the aggregate until it puts it back."""
        return self._entries.pop(stream_id, None)

    def put(self, stream_id: str, entry: Cached) -> None:
        self._entries[stream_id] = entry
        self._entries.move_to_end(stream_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every aggregate (an erasure: they may hold erased values in clear)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class StreamMemory:
    """A process's locks and cached aggregates, shared by every command it runs."""

    def __init__(self, cache_size: int = CACHED_AGGREGATES) -> None:
        self.locks = StreamLocks()
        self.cache = AggregateCache(cache_size)
