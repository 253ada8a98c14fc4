"""Long-polling for `GET /feed` (`wait=`): with nothing for the caller past its cursor, the
request waits until an event it may see arrives, the wait ends, the client goes away or the
server begins to shut down.

A waiting request holds no database connection and reads nothing by itself: it follows the
process's one shared tail of the log (`graphql/live.py` `LiveTail`, woken by the store's one
LISTEN connection, `infra/wakeups.py`), which reads each new batch once for every waiter and
every live subscription. The tail's batches are gap-safe (`EventStore.read_after`), so the
checkpoint up to which a waiter has looked (its horizon) never has an event appear behind it
later: an answer that found nothing the caller may see hands out the horizon as its next
cursor, and the next request does not look at those events again.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine
    from uuid import UUID

    from bridgework.graphql.live import LiveTail
    from bridgework.services.ports import Checkpoint, StoredEvent
    from litestar.types import Receive

MAX_WAIT_SECONDS = 30
_SECONDS = re.compile(r"[0-9]{1,2}(\.[0-9]{1,3})?")


def wait_seconds(raw: str | None) -> float | None:
    """`wait=`: seconds from 0 to `MAX_WAIT_SECONDS` (up to 3 decimals); None if it is not."""
    if raw is None:
        return 0.0
    if _SECONDS.fullmatch(raw) is None or float(raw) > MAX_WAIT_SECONDS:
        return None
    return float(raw)


class Stopping:
    """Set once the server begins to shut down (`infra/cli.py` `serve` sets it from its signal
    handler): every waiting request answers at once instead of holding the shutdown up."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop the waiters run on (from the app's startup)."""
        self._loop = loop

    def begin(self) -> None:
        """Safe from a signal handler or another thread."""
        if self._loop is None or self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._event.set)

    @property
    def stopping(self) -> bool:
        return self._event.is_set()

    async def wait(self) -> None:
        await self._event.wait()


def visible_to(
    types: frozenset[str] | None, scope: frozenset[UUID] | None
) -> Callable[[StoredEvent], bool]:
    """Whether the feed's read (`statements.READ_AFTER`: `event_type = ANY(types)`, `scope &&
    organisations`) would hand an event out."""

    def visible(e: StoredEvent) -> bool:
        if types is not None and e.event_type not in types:
            return False
        return scope is None or not scope.isdisjoint(e.scope)

    return visible


class Horizon:
    """How far a waiter has looked: every event up to `checkpoint` was not for the caller."""

    def __init__(self, after: Checkpoint) -> None:
        self.checkpoint = after

    async def until_visible(self, live: LiveTail, visible: Callable[[StoredEvent], bool]) -> None:
        """Follow the log from the horizon until a batch holds an event `visible` allows."""
        async with contextlib.aclosing(live.follow(self.checkpoint)) as batches:
            async for batch in batches:
                if any(visible(e) for e in batch):
                    return
                self.checkpoint = batch[-1].checkpoint


async def disconnected(receive: Receive) -> None:
    """Return once the client has gone (a request's body, if any, is not wanted here)."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def wait_for_visible(
    horizon: Horizon,
    live: LiveTail,
    visible: Callable[[StoredEvent], bool],
    seconds: float,
    *,
    receive: Receive,
    stopping: Stopping,
) -> bool:
    """True once an event the caller may see is readable past the horizon; False when
    `seconds` end, the client disconnects or the server stops first."""
    if seconds <= 0 or stopping.stopping:
        return False
    waits: list[Coroutine[Any, Any, None]] = [
        horizon.until_visible(live, visible),
        disconnected(receive),
        stopping.wait(),
    ]
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        done, _ = await asyncio.wait(tasks, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if tasks[0] not in done:
        return False
    tasks[0].result()  # a failure of the tail (not a transient one: those it retries) is a 500
    return True
