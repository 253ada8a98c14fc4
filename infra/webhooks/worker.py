"""The delivery worker: the fan-out (woken by the log's NOTIFY) and the sender, which claims
due messages (`FOR UPDATE SKIP LOCKED`, each claim moving the message's `next_attempt_at` past
a lease in the same statement), sends them outside any transaction and records each outcome.
Any number of workers may run in any number of processes: a claimed message is invisible to
the others until its lease ends. An ordered endpoint's next message is claimable only once
the one before it (by `seq`, the log's order) is delivered or dead.

Delivery is at least once: a worker that dies after the receiver answered and before the
outcome was written leaves the message to be sent again when its lease ends, with the same
`webhook-id`."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import asyncpg
from bridgework.infra import statements
from bridgework.infra.wakeups import StoreStats, Wakeups
from bridgework.infra.webhooks import retention
from bridgework.infra.webhooks.claims import DISABLE_FAILING, claim, record
from bridgework.infra.webhooks.fanout import CHANNEL, FanOut
from bridgework.infra.webhooks.sender import Outcome, Sender, encode
from bridgework.infra.webhooks.together import Together
from bridgework.services.contract import cloudevent

if TYPE_CHECKING:
    from collections.abc import Coroutine
    from uuid import UUID

    from bridgework.infra.store import PostgresEventStore
    from bridgework.infra.webhooks.registry import PostgresWebhooks
    from bridgework.infra.webhooks.settings import WebhookSettings
    from bridgework.services.ports import StoredEvent

log = logging.getLogger("bridgework.webhooks")

LEASE_MARGIN_SECONDS = 15.0
DATABASE_RETRY_SECONDS = (0.5, 10.0)
RUN = 50
"""An ordered endpoint's messages claimed (and sent one after another) together."""
RECORD_EVERY = 10
"""A run records its outcomes this often (and when it stops)."""
REFILL = 4
"""The sender claims again once a `1/REFILL` of its concurrency is free (or nothing is in
flight), so each claim's round trips serve a batch rather than one message."""


_TARGETS = """
SELECT e.id, e.url, e.personal_data, array_agg(s.id) AS ids, array_agg(s.kek_id) AS keks,
       array_agg(s.wrapped) AS wrapped
FROM webhook_endpoints e JOIN webhook_secrets s ON s.endpoint_id = e.id
WHERE e.id = ANY($1::uuid[]) AND (s.expires_at IS NULL OR s.expires_at > now())
GROUP BY e.id
"""


@dataclass
class WebhookStats:
    """Counters of one worker, for `/metrics`; they only grow."""

    delivered: int = 0
    failed_attempts: int = 0
    dead: int = 0
    endpoints_disabled: int = 0


class Worker:
    def __init__(
        self,
        pool: asyncpg.Pool,
        store: PostgresEventStore,
        registry: PostgresWebhooks,
        *,
        source: str,
    ) -> None:
        self.pool, self.store, self.registry, self.source = pool, store, registry, source
        self.settings: WebhookSettings = registry.settings
        self.fanout = FanOut(pool)
        self.sender = Sender(self.settings)
        self.stats = WebhookStats()
        self._wakeups = Wakeups(pool, StoreStats(), channel=CHANNEL)
        self._tasks: list[asyncio.Task[None]] = []
        self._secrets: dict[Any, bytes] = {}
        self._together = Together(self._record_done)
        self.lease = self.settings.timeout_seconds + LEASE_MARGIN_SECONDS

    async def start(self) -> None:
        await self._wakeups.start()
        self._tasks = [
            asyncio.create_task(self._forever(self._fan_out), name="webhook-fanout"),
            asyncio.create_task(self._forever(self._send), name="webhook-sender"),
            asyncio.create_task(self._forever(self._prune_forever), name="webhook-prune"),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._together.close()
        await self._wakeups.close()
        await self.sender.close()

    async def _forever(self, loop: Any) -> None:
        delay = DATABASE_RETRY_SECONDS[0]
        while True:
            try:
                await loop()
            except Exception as e:  # the worker outlives an outage, or any one bad round
                if isinstance(e, OSError | asyncpg.PostgresError | asyncpg.InterfaceError):
                    log.warning("webhooks: the database did not answer (%s)", type(e).__name__)
                else:
                    log.exception("webhooks: a round failed; trying again")
                await asyncio.sleep(delay)
                delay = min(delay * 2, DATABASE_RETRY_SECONDS[1])

    async def _fan_out(self) -> None:
        while True:
            if await self.fanout.once():
                self._wakeups.wake()
            await self.store.wait_for_new_events(
                self.settings.poll_seconds, after=self.fanout.horizon
            )

    async def _prune_forever(self) -> None:
        while True:  # not at once: a process that starts has better things to do first
            await asyncio.sleep(retention.EVERY_SECONDS)
            await retention.prune(self.pool, self.settings.retention_seconds)

    async def _send(self) -> None:
        in_flight: set[asyncio.Task[None]] = set()
        try:
            while True:
                signal = self._wakeups.signal
                room = self.settings.concurrency - len(in_flight)
                enough = room >= max(1, self.settings.concurrency // REFILL) or not in_flight
                claimed = await self._claim(room) if room > 0 and enough else []
                in_flight |= {asyncio.create_task(c) for c in claimed}
                if room > 0 and len(claimed) == room:
                    continue
                waiter = asyncio.ensure_future(signal.wait())
                done, _ = await asyncio.wait(
                    {*in_flight, waiter},
                    timeout=self.settings.poll_seconds,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                waiter.cancel()
                in_flight -= done
        finally:
            for task in in_flight:
                task.cancel()

    async def _claim(self, limit: int) -> list[Coroutine[None, None, None]]:
        singles, runs = await claim(self.pool, limit, self.lease, RUN)
        rows = singles + [r for run in runs for r in run]
        if not rows:
            return []
        targets = {
            r["id"]: r
            for r in await self.pool.fetch(_TARGETS, list({r["endpoint_id"] for r in rows}))
        }
        personal = {r["id"] for r in targets.values() if r["personal_data"]}
        events = await self._events(
            [r["position"] for r in rows],
            {r["position"] for r in rows if r["endpoint_id"] in personal},
        )
        return [
            self._run(run, targets.get(run[0]["endpoint_id"]), events)
            for run in [[r] for r in singles] + runs
        ]

    async def _events(
        self, positions: list[int], personal: set[int]
    ) -> dict[tuple[int, bool], StoredEvent]:
        rows = await self.pool.fetch(
            f"SELECT {statements.COLUMNS} FROM events WHERE position = ANY($1::bigint[])",  # noqa: S608
            positions,
        )
        found = await self.store.vault.load([statements.stored_event(r) for r in rows])
        events = {(e.position, False): e for e in found}
        opened = await self.store.opened([e for e in found if e.position in personal])
        events |= {(e.position, True): e for e in opened}
        return events

    def _keys(self, target: asyncpg.Record) -> list[bytes]:
        keys = []
        for secret_id, kek_id, wrapped in zip(
            target["ids"], target["keks"], target["wrapped"], strict=True
        ):
            if secret_id not in self._secrets:
                self._secrets[secret_id] = self.registry.unwrap(secret_id, kek_id, wrapped)
            keys.append(self._secrets[secret_id])
        return keys

    async def _run(
        self,
        messages: list[asyncpg.Record],
        target: asyncpg.Record | None,
        events: dict[tuple[int, bool], StoredEvent],
    ) -> None:
        """Send one endpoint's `messages` one after another, in order, stopping at the first
        not delivered; record what each came to and release the ones not reached."""
        if target is None:  # disabled or deleted since the claim: its lease brings it back
            return
        done: list[tuple[asyncpg.Record, Outcome]] = []
        sent, crashed = 0, 0
        try:
            for message in messages:
                outcome = await self._attempt(message, target, events)
                done.append((message, outcome))
                sent += 1
                if not outcome.delivered:
                    break
                if len(done) == RECORD_EVERY:  # a crash then resends at most this many
                    await self._record(done, [])
                    done = []
        except Exception:  # that one's lease brings it round again
            log.exception("webhook to %s: no outcome recorded", target["id"])
            crashed = 1
        try:
            released = [m["seq"] for m in messages[sent + crashed :]]
            await (self._together.write(done) if not released else self._record(done, released))
        except Exception:  # their leases bring them round again (the same webhook-id)
            log.exception("webhook to %s: outcomes not recorded", target["id"])

    async def _attempt(
        self,
        message: asyncpg.Record,
        target: asyncpg.Record,
        events: dict[tuple[int, bool], StoredEvent],
    ) -> Outcome:
        personal = bool(target["personal_data"])
        event = events.get((message["position"], personal))
        if event is None:
            return Outcome(None, "the event is not in the log", 0.0)
        body = encode(cloudevent(event, source=self.source, personal_data=personal))
        return await self.sender.send(target["url"], event.event_id, body, self._keys(target))

    def _fate(self, message: asyncpg.Record, outcome: Outcome) -> tuple[str, float]:
        """The message's status after this attempt, and the seconds until its next."""
        attempts, schedule = message["attempts"], self.settings.retry_schedule
        if outcome.delivered:
            self.stats.delivered += 1
            return "delivered", 0.0
        if outcome.gone:  # the receiver asks for no more: kept for when it is enabled again
            return "pending", 0.0
        if attempts >= len(schedule):
            self.stats.dead += 1
            log.warning(
                "webhook %s to %s dead-lettered after %d attempts (%s)",
                message["event_id"],
                message["endpoint_id"],
                attempts,
                outcome.error,
            )
            return "dead", 0.0
        self.stats.failed_attempts += 1
        delay = schedule[attempts] * (0.8 + 0.4 * random.random())  # noqa: S311 - jitter
        return "pending", max(delay, outcome.retry_after or 0.0)

    async def _record_done(self, done: list[tuple[asyncpg.Record, Outcome]]) -> None:
        await self._record(done, [])

    async def _record(
        self, done: list[tuple[asyncpg.Record, Outcome]], released: list[int]
    ) -> None:
        rows, last = [], {}
        for message, outcome in done:
            status, delay = self._fate(message, outcome)
            o = outcome
            rows.append((message["seq"], o.status_code, o.error, o.duration_ms, status, delay))
            last[message["endpoint_id"]] = outcome
        for endpoint_id, outcome in last.items():
            if outcome.gone:
                await self.registry.set_disabled(endpoint_id, "the receiver answered 410 Gone")
                self.stats.endpoints_disabled += 1
                log.warning("webhook endpoint %s disabled: 410 Gone", endpoint_id)
        ok = {e: o.delivered for e, o in last.items() if not o.gone}
        await record(self.pool, rows, ok, released)
        for endpoint_id, outcome in last.items():
            if not outcome.delivered and not outcome.gone:
                await self._disable_if_failing_too_long(endpoint_id, outcome)

    async def _disable_if_failing_too_long(self, endpoint_id: UUID, outcome: Outcome) -> None:
        disabled = await self.pool.fetchval(
            DISABLE_FAILING, endpoint_id, self.settings.disable_after_seconds, outcome.error or ""
        )
        if disabled:
            self.stats.endpoints_disabled += 1
            log.error(
                "webhook endpoint %s disabled: failing for longer than %g s (last: %s)",
                endpoint_id,
                self.settings.disable_after_seconds,
                outcome.error,
            )
