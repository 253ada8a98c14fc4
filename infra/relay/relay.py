"""The relay: follows the log in its gap-safe order and publishes every public event to NATS
JetStream, checkpointing in PostgreSQL only after JetStream acknowledged the whole batch.

Each batch (`RelaySettings.batch_size` events after the checkpoint, `EventStore.read_after`)
is published at once, asynchronously, each event's CloudEvents JSON (`services/contract.py`)
to the subject of its public type (`bridgework.directory.OrganizationRegistered`) with
`Nats-Msg-Id` = its event id; once every PubAck of a batch has come, and only then, the relay
moves its checkpoint (`relay_checkpoints`) past it. The next batch is read and published
while one awaits its acks (`IN_FLIGHT`), so NATS and the relay work at the same time. A crash
anywhere loses nothing: what was not checkpointed is published again and the stream's
duplicate window drops what it already holds. A batch whose acks do not all
come (NATS went away, the stream was lost) is published again once NATS answers; PostgreSQL
going away is waited out; the NATS connection is re-made by itself.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import nats
from bridgework.infra.relay.checkpoints import lag_of, move_checkpoint, open_checkpoint
from bridgework.infra.relay.publishing import Backoff, InFlight, described, send
from bridgework.infra.relay.stream import StreamMismatch, ensure_stream
from bridgework.projections.faults import is_transient
from bridgework.services.ports import ORIGIN
from nats.errors import Error as NatsError

if TYPE_CHECKING:
    import asyncpg
    from bridgework.infra.relay.settings import RelaySettings
    from bridgework.infra.store import PostgresEventStore
    from nats.aio.client import Client
    from nats.js import JetStreamContext

log = logging.getLogger("bridgework.relay")

IN_FLIGHT = 2
"""Batches published and not yet acknowledged at most."""
REPORT_SECONDS = 10.0
"""How often a relay that is behind logs its progress and lag."""


@dataclass
class RelayStats:
    """What one relay process did; the counters only grow (`/metrics`)."""

    batches: int = 0
    published: int = 0
    """Events JetStream acknowledged (duplicates among them)."""
    duplicates: int = 0
    """Acks that said the stream already held the event (a batch published again)."""
    failures: int = 0
    """Batches published again: acks missing or NATS unavailable."""
    database_faults: int = 0
    reconnects: int = 0
    connected: bool = False


class Relay:
    """Publishes the log to a JetStream stream; `run()` until cancelled (see the module)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        store: PostgresEventStore,
        settings: RelaySettings,
        *,
        source: str,
        poll_seconds: float = 1.0,
    ) -> None:
        if settings.nats_url is None:
            raise ValueError("nats_url: the relay needs a NATS server")
        self.pool, self._store, self.settings = pool, store, settings
        self._servers = settings.nats_url.split(",")
        self._source, self._poll = source, poll_seconds
        self.stats = RelayStats()
        self._reported = (time.monotonic(), 0)
        self._closing = False
        self._unanswered = False
        self.checkpoint = ORIGIN
        """The last event JetStream acknowledged (as `relay_checkpoints` holds it)."""
        self._published = ORIGIN
        """The last event published (acknowledged or not)."""

    @property
    def name(self) -> str:
        return self.settings.name

    async def run(self) -> None:
        """Relay until cancelled; only a stream it must not publish into (`StreamMismatch`)
        ends it otherwise."""
        backoff = Backoff()
        checkpoint = None
        while checkpoint is None:
            try:
                checkpoint = await open_checkpoint(self.pool, self.name)
            except Exception as e:
                if not is_transient(e):
                    raise
                await self._database_fault(e, backoff)
        self.checkpoint = self._published = checkpoint
        log.info(
            "relay %s: publishing to stream %s at %s from position %d",
            *(self.name, self.settings.stream, ",".join(self._servers), checkpoint.position),
        )
        while True:
            nc = await self._connect(backoff)
            try:
                await self._follow(nc, backoff)
            finally:
                self.stats.connected, self._closing = False, True
                await nc.close()

    async def _connect(self, backoff: Backoff) -> Client:
        async def disconnected() -> None:
            self.stats.connected = False
            if not self._closing:
                log.warning("relay %s: lost NATS; reconnecting", self.name)

        async def reconnected() -> None:
            self.stats.connected, self.stats.reconnects = True, self.stats.reconnects + 1
            self._unanswered = False
            log.info("relay %s: NATS is back", self.name)

        async def error(e: Exception) -> None:
            # The client tries again by itself, also on the first connect: say so once.
            if not self.stats.connected and not self._unanswered:
                self._unanswered = True
                log.warning("relay %s: NATS does not answer (%s); trying again", self.name, e)
            else:
                log.debug("relay %s: NATS: %s", self.name, e)

        while True:
            try:
                nc = await nats.connect(
                    self._servers,
                    name=f"bridgework-relay-{self.name}",
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    connect_timeout=2,
                    allow_reconnect=True,
                    disconnected_cb=disconnected,
                    reconnected_cb=reconnected,
                    error_cb=error,
                )
            except (NatsError, OSError, TimeoutError) as e:
                log.warning("relay %s: NATS does not answer (%s); trying again", self.name, e)
                await asyncio.sleep(backoff.delay())
                continue
            self.stats.connected, self._closing, self._unanswered = True, False, False
            return nc

    async def _follow(self, nc: Client, backoff: Backoff) -> None:
        js = nc.jetstream(
            timeout=self.settings.ack_timeout_seconds,
            publish_async_max_pending=self.settings.batch_size * IN_FLIGHT,  # `send` says why
        )
        stream_checked = False
        flying: collections.deque[InFlight] = collections.deque()
        try:
            while not nc.is_closed:
                try:
                    if not stream_checked:
                        await self._check_stream(js)
                        stream_checked = True
                    await self._advance(js, flying)
                    backoff.reset()
                except StreamMismatch:
                    raise
                except (NatsError, TimeoutError) as e:
                    self._abandon(flying)
                    self.stats.failures += 1
                    stream_checked = False  # it may be what went missing
                    log.warning(
                        "relay %s: events after position %d not acknowledged (%s); publishing"
                        " them again",
                        *(self.name, self.checkpoint.position, described(e)),
                    )
                    await asyncio.sleep(backoff.delay())
                except Exception as e:
                    self._abandon(flying)
                    if is_transient(e):
                        await self._database_fault(e, backoff)
                        continue
                    log.exception(
                        "relay %s failed after position %d; retrying",
                        *(self.name, self.checkpoint.position),
                    )
                    await asyncio.sleep(backoff.delay())
        finally:
            self._abandon(flying)

    async def _check_stream(self, js: JetStreamContext) -> None:
        try:
            await ensure_stream(js, self.settings.stream, self.settings.duplicate_window_seconds)
        except (NatsError, TimeoutError) as e:
            log.warning(
                "relay %s: cannot check stream %s (%s); is JetStream enabled?",
                *(self.name, self.settings.stream, described(e)),
            )
            raise

    async def _advance(self, js: JetStreamContext, flying: collections.deque[InFlight]) -> None:
        """One step: publish the next batch if there is room and news, else checkpoint the
        oldest batch once its acks are in, else wait for news."""
        if len(flying) < IN_FLIGHT:
            events = await self._store.read_after(self._published, self.settings.batch_size)
            if events:
                personal = self.settings.personal_data
                if personal:
                    events = await self._store.opened(events)
                stream, source = self.settings.stream, self._source
                flying.append(
                    await send(js, events, stream=stream, source=source, personal_data=personal)
                )
                self._published = events[-1].checkpoint
                return
        if flying:
            acks = await asyncio.wait_for(flying[0].acks, self.settings.ack_timeout_seconds)
            done = flying.popleft()
            await move_checkpoint(self.pool, self.name, done.to, len(acks))
            self.checkpoint = done.to
            self.stats.batches += 1
            self.stats.published += len(acks)
            self.stats.duplicates += sum(1 for a in acks if a.duplicate)
            await self._report(idle=False)
            return
        await self._report(idle=True)
        await self._store.wait_for_new_events(self._poll, after=self._published)

    def _abandon(self, flying: collections.deque[InFlight]) -> None:
        """Forget what is unacknowledged: it is published again from the checkpoint."""
        for batch in flying:
            batch.cancel()
        flying.clear()
        self._published = self.checkpoint

    async def _database_fault(self, e: Exception, backoff: Backoff) -> None:
        self.stats.database_faults += 1
        log.warning("relay %s: the database is unavailable (%s); waiting", self.name, e)
        await asyncio.sleep(backoff.delay())

    async def _report(self, *, idle: bool) -> None:
        """Log progress and lag every `REPORT_SECONDS` while behind, and once when caught up."""
        since, published = self._reported
        now = time.monotonic()
        if self.stats.published == published or (not idle and now - since < REPORT_SECONDS):
            return
        self._reported = (now, self.stats.published)
        lag = await lag_of(self.pool, self.name)
        log.info(
            "relay %s: %d events published in %.0f s; %d behind (oldest %.1f s)",
            *(self.name, self.stats.published - published, now - since, lag.events, lag.seconds),
        )
