"""Wake-ups for readers of the log: LISTEN/NOTIFY that heals itself after any drop.

One pool connection per process LISTENs. It is watched two ways: asyncpg's termination
listener (a server restart or `pg_terminate_backend` closes the socket at once) and a cheap
`SELECT 1` every few seconds (a connection can also die silently, behind a firewall or a
failed-over address). When it is lost, waiters are woken and from then on return after a
short poll, so readers keep up within a fraction of a second; the connection is re-made with
backoff, and once it is back every waiter is woken again, since events may have committed
while nobody was listening.

After each commit the writing process sends one `NOTIFY` (outside the writing transaction, so
committers are not serialised by it), at most one every `NOTIFY_COALESCE_SECONDS`: under load
one statement wakes other processes for many commits, while this process's own readers are
woken at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

import asyncpg

PENDING_RETRY_SECONDS = 0.01
"""How soon to look again when events are committed but an older transaction still runs."""
HELD_BACK_RETRY_SECONDS = 0.2
"""How soon once that has lasted `HELD_BACK_AFTER_SECONDS`: most such transactions are
writers about to commit, but one left open (by anyone, on any database of the server) can
hold readers back for minutes, and every reader polling every 10 ms would load the server."""
HELD_BACK_AFTER_SECONDS = 0.5


log = logging.getLogger("bridgework.store")

CHANNEL = "bridgework_events"
DOWN_POLL_SECONDS = 0.25
"""How long a wait lasts at most while nobody LISTENs: lag stays well under a second."""
BACKOFF_FIRST_SECONDS = 0.1
BACKOFF_MAX_SECONDS = 4.0
"""Below 5 s, so LISTEN is back within 5 s of the database answering again."""
LIVENESS_SECONDS = 5.0
NOTIFY_COALESCE_SECONDS = 0.002
"""How long commits gather before one NOTIFY tells other processes of all of them."""
CONNECT_TIMEOUT_SECONDS = 5.0


@dataclass
class StoreStats:
    """Counters of one process's store, read by the metrics collector; they only grow."""

    appends: int = 0
    """Successful appends that wrote events."""
    events_appended: int = 0
    version_conflicts: int = 0
    listen_lost: int = 0
    """Times the LISTEN connection was found dead."""
    listen_reconnects: int = 0
    notifications_received: int = 0


class Wakeups:
    def __init__(
        self,
        pool: asyncpg.Pool,
        stats: StoreStats,
        *,
        liveness_seconds: float = LIVENESS_SECONDS,
        channel: str = CHANNEL,
    ) -> None:
        self._pool = pool
        self._channel = channel
        self._stats = stats
        self._liveness = liveness_seconds
        self._listener: asyncpg.pool.PoolConnectionProxy | None = None
        self._lost = asyncio.Event()
        self._signal = asyncio.Event()
        self._dirty = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def listening(self) -> bool:
        """True while this process receives NOTIFY; False while it falls back to polling."""
        return self._listener is not None

    @property
    def listener_pid(self) -> int | None:
        """The server process of the LISTEN connection (for operators and fault tests)."""
        return None if self._listener is None else self._listener.get_server_pid()

    async def start(self) -> None:
        """LISTEN now (failing loudly if the database is not there), then keep it alive."""
        await self._listen()
        self._tasks = [
            asyncio.create_task(self._keep_listening(), name="event-store-listen"),
            asyncio.create_task(self._notify_loop(), name="event-store-notify"),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self._unlisten()
        self.wake()

    # -- waiting ------------------------------------------------------------------------

    @property
    def signal(self) -> asyncio.Event:
        """Set by the next wake-up: take it before looking, then `wait` on it."""
        return self._signal

    async def wait(self, signal: asyncio.Event, max_wait: float) -> None:
        """Return once `signal` is set, or after `max_wait` (shortened while not listening)."""
        if self._listener is None:
            max_wait = min(max_wait, DOWN_POLL_SECONDS)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(signal.wait(), max_wait)

    def wake(self) -> None:
        self._signal.set()
        self._signal = asyncio.Event()

    def committed(self) -> None:
        """Events were committed here: wake local waiters now, other processes by NOTIFY."""
        self.wake()
        self._dirty.set()

    # -- the LISTEN connection ----------------------------------------------------------

    def _on_notify(self, *_: object) -> None:
        self._stats.notifications_received += 1
        self.wake()

    def _on_terminated(self, *_: object) -> None:
        self._lost.set()

    async def _listen(self) -> None:
        conn = await self._pool.acquire(timeout=CONNECT_TIMEOUT_SECONDS)
        self._lost.clear()
        try:
            conn.add_termination_listener(self._on_terminated)
            await conn.add_listener(self._channel, self._on_notify)
        except BaseException:
            with contextlib.suppress(asyncpg.InterfaceError):
                conn.terminate()  # in an unknown state: the pool makes a fresh one
            raise
        self._listener = conn

    async def _unlisten(self) -> None:
        conn, self._listener = self._listener, None
        if conn is None:
            return
        # The connection goes back to the pool for others: leave no callback of ours on it.
        try:
            conn.remove_termination_listener(self._on_terminated)
        except asyncpg.InterfaceError:
            return  # it was closed, and so already handed back to the pool
        with contextlib.suppress(Exception):
            await conn.remove_listener(self._channel, self._on_notify)
        with contextlib.suppress(Exception):
            await self._pool.release(conn)

    def _drop(self) -> None:
        """Forget a lost listener; terminating it hands it back to the pool (which asyncpg
        has already done if the server closed it)."""
        conn, self._listener = self._listener, None
        if conn is not None:
            with contextlib.suppress(asyncpg.InterfaceError):
                conn.terminate()

    async def _keep_listening(self) -> None:
        while True:
            await self._until_lost()
            lost_at = time.monotonic()
            self._stats.listen_lost += 1
            log.warning(
                "lost the LISTEN connection; readers poll every %.2f s until it is back",
                DOWN_POLL_SECONDS,
            )
            self._drop()
            self.wake()  # waiters switch to the short poll now
            await self._relisten()
            self._stats.listen_reconnects += 1
            log.info("LISTEN is back after %.1f s", time.monotonic() - lost_at)
            self.wake()  # events may have committed while nobody listened

    async def _until_lost(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), self._liveness)
                return
            conn = self._listener
            if conn is None or conn.is_closed():
                return
            try:
                await conn.fetchval("SELECT 1", timeout=self._liveness)
            except Exception:  # noqa: BLE001 - any failure means the connection is no use
                return

    async def _relisten(self) -> None:
        delay = BACKOFF_FIRST_SECONDS
        while True:
            try:
                await self._listen()
            except Exception as e:  # noqa: BLE001 - keep trying whatever went wrong
                log.debug("LISTEN not back yet (%s); next try in %.1f s", type(e).__name__, delay)
            else:
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX_SECONDS)

    async def _notify_loop(self) -> None:
        delay = BACKOFF_FIRST_SECONDS
        while True:
            await self._dirty.wait()
            await asyncio.sleep(NOTIFY_COALESCE_SECONDS)
            self._dirty.clear()
            try:
                await self._pool.execute("SELECT pg_notify($1, '')", self._channel)
            except Exception as e:  # noqa: BLE001 - retried; other processes poll meanwhile
                log.warning("NOTIFY failed (%s); retrying in %.1f s", type(e).__name__, delay)
                self._dirty.set()
                await asyncio.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX_SECONDS)
            else:
                delay = BACKOFF_FIRST_SECONDS
