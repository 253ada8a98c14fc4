"""The relay: follows the log in its gap-safe order and publishes every public event to NATS
JetStream, checkpointing in PostgreSQL only after JetStream acknowledged the whole batch.

Each batch (`RelaySettings.batch_size` events after the checkpoint, `EventStore.read_after`)
is published at once, asynchronously, each event's CloudEvents JSON (`services/contract.py`)
to the subject of its public type (`bridgework.directory.OrganizationRegistered`) with
`Nats-Msg-Id` = its event id; then the relay waits for every PubAck and only then moves its
checkpoint (`relay_checkpoints`). A crash anywhere loses nothing: the batch is published again
and the stream's duplicate window drops what it already holds. A batch whose acks do not all
come (NATS went away, the stream was lost) is published again once NATS answers; PostgreSQL
going away is waited out; the NATS connection is re-made by itself.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec
import nats
from bridgework.infra.relay.checkpoints import lag_of, move_checkpoint, open_checkpoint
from bridgework.infra.relay.stream import StreamMismatch, ensure_stream
from bridgework.projections.faults import is_transient
from bridgework.services.contract import SPEC_VERSION, cloudevent, public_types
from bridgework.services.ports import ORIGIN
from nats.errors import Error as NatsError

if TYPE_CHECKING:
    import asyncpg
    from bridgework.infra.relay.settings import RelaySettings
    from bridgework.infra.store import PostgresEventStore
    from bridgework.services.ports import Checkpoint, StoredEvent
    from nats.aio.client import Client
    from nats.js import JetStreamContext
    from nats.js.api import PubAck

log = logging.getLogger("bridgework.relay")

STRUCTURED = "application/cloudevents+json"
BACKOFF_FIRST_SECONDS = 0.1
BACKOFF_MAX_SECONDS = 5.0
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


def _described(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


class Backoff:
    def __init__(self) -> None:
        self._next = BACKOFF_FIRST_SECONDS

    def reset(self) -> None:
        self._next = BACKOFF_FIRST_SECONDS

    def delay(self) -> float:
        delay, self._next = self._next, min(self._next * 2, BACKOFF_MAX_SECONDS)
        return delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not a secret


def headers(envelope: dict[str, Any]) -> dict[str, str]:
    """`Nats-Msg-Id` for JetStream's deduplication, the structured content type, and the
    envelope's routing attributes as CloudEvents binary-mode headers, for consumers that
    filter without decoding the body."""
    return {
        "Nats-Msg-Id": envelope["id"],
        "Content-Type": STRUCTURED,
        "ce-specversion": SPEC_VERSION,
        "ce-id": envelope["id"],
        "ce-type": envelope["type"],
        "ce-source": envelope["source"],
        "ce-time": envelope["time"],
        "ce-sequence": envelope["sequence"],
    }


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
        self.checkpoint = ORIGIN
        """The last event JetStream acknowledged (as `relay_checkpoints` holds it)."""

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
        self.checkpoint = checkpoint
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
            log.info("relay %s: NATS is back", self.name)

        async def error(e: Exception) -> None:
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
            self.stats.connected, self._closing = True, False
            return nc

    async def _follow(self, nc: Client, backoff: Backoff) -> None:
        # As many pending acks as a batch holds, so a publish never waits for a slot: one
        # that waited would yield, and the client would then write each message on its own.
        js = nc.jetstream(
            timeout=self.settings.ack_timeout_seconds,
            publish_async_max_pending=self.settings.batch_size,
        )
        stream_checked = False
        while not nc.is_closed:
            try:
                if not stream_checked:
                    try:
                        await ensure_stream(
                            js, self.settings.stream, self.settings.duplicate_window_seconds
                        )
                    except (NatsError, TimeoutError) as e:
                        log.warning(
                            "relay %s: cannot check stream %s (%s); is JetStream enabled?",
                            *(self.name, self.settings.stream, _described(e)),
                        )
                        await asyncio.sleep(backoff.delay())
                        continue
                    stream_checked = True
                self.checkpoint = await self._step(js, self.checkpoint)
                backoff.reset()
            except StreamMismatch:
                raise
            except (NatsError, TimeoutError) as e:
                self.stats.failures += 1
                stream_checked = False  # it may be what went missing
                log.warning(
                    "relay %s: batch after position %d not acknowledged (%s); publishing again",
                    *(self.name, self.checkpoint.position, _described(e)),
                )
                await asyncio.sleep(backoff.delay())
            except Exception as e:
                if is_transient(e):
                    await self._database_fault(e, backoff)
                    continue
                log.exception(
                    "relay %s failed after position %d; retrying",
                    *(self.name, self.checkpoint.position),
                )
                await asyncio.sleep(backoff.delay())

    async def _step(self, js: JetStreamContext, checkpoint: Checkpoint) -> Checkpoint:
        """Relay one batch; the checkpoint after it (the same one when nothing was new)."""
        events = await self._store.read_after(checkpoint, self.settings.batch_size)
        if not events:
            await self._report(idle=True)
            await self._store.wait_for_new_events(self._poll, after=checkpoint)
            return checkpoint
        acks = await self.publish(js, events)
        to = events[-1].checkpoint
        await move_checkpoint(self.pool, self.name, to, len(acks))
        self.stats.batches += 1
        self.stats.published += len(acks)
        self.stats.duplicates += sum(1 for a in acks if a.duplicate)
        await self._report(idle=False)
        return to

    async def publish(self, js: JetStreamContext, events: list[StoredEvent]) -> list[PubAck]:
        """Publish `events` at once and wait for every ack (`TimeoutError` if they do not all
        come within `ack_timeout_seconds`)."""
        personal = self.settings.personal_data
        if personal:
            events = await self._store.opened(events)
        known = public_types()
        futures = []
        try:
            for e in events:
                if e.event_type not in known:  # not public (the contract maps every type)
                    continue
                envelope = cloudevent(e, source=self._source, personal_data=personal)
                futures.append(
                    await js.publish_async(
                        envelope["type"],
                        msgspec.json.encode(envelope),
                        stream=self.settings.stream,
                        headers=headers(envelope),
                    )
                )
            return await asyncio.wait_for(
                asyncio.gather(*futures), self.settings.ack_timeout_seconds
            )
        finally:
            for f in futures:
                f.cancel()  # done ones ignore it; the rest free their slots

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
