"""The mailer: drains the outbox, woken by NOTIFY on every enqueue, with a slow poll behind it.

Each round claims a batch of due mail (`FOR UPDATE SKIP LOCKED`, and the claim moves each
row's `next_attempt_at` past a lease, in the same statement), then sends the batch outside any
transaction (an open transaction would hold every reader of the log back for as long as an
SMTP server takes) and marks each mail sent, or records why not and when to try again. Any
number of mailers, in any number of processes, can run: a claimed mail is invisible to the
others until its lease ends.

Delivery is at least once, not exactly once: if a process dies after the SMTP server accepted
a mail and before it was marked sent, the lease runs out and another mailer sends it again.
Both copies carry the same Message-ID (from the row's id), so receivers can drop the second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg
from bridgework.infra.mail.outbox import (
    CHANNEL,
    Claimed,
    claim,
    mark_failed,
    mark_given_up,
    mark_sent,
    seconds_to_next_due,
)
from bridgework.infra.mail.transport import (
    LogTransport,
    SendFailed,
    SmtpTransport,
    Transport,
    build_message,
)
from bridgework.infra.wakeups import StoreStats, Wakeups

if TYPE_CHECKING:
    from collections.abc import Callable

    from bridgework.infra.mail.settings import MailSettings

log = logging.getLogger("bridgework.mail")

BATCH = 10
SEND_BOUND_TIMEOUTS = 3
"""A whole send (connect, greet, TLS, log in, hand over, quit) may take this many timeouts."""
LEASE_MARGIN_SECONDS = 30.0
DATABASE_RETRY_SECONDS = (0.5, 10.0)
"""First and longest wait before the next round after the database did not answer."""


@dataclass
class MailerStats:
    """Counters of one mailer, for `/metrics`; they only grow."""

    sent: int = 0
    failed_attempts: int = 0
    """Attempts that failed and were scheduled again."""
    given_up: int = 0


def transport_for(settings: MailSettings) -> Transport:
    """SMTP if a host is configured, else the development transport that logs each mail."""
    return SmtpTransport(settings) if settings.smtp_host else LogTransport()


class Mailer:
    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: MailSettings,
        *,
        transport: Transport | None = None,
        batch: int = BATCH,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._pool = pool
        self._settings = settings
        self._transport = transport or transport_for(settings)
        self._batch = batch
        self._jitter = jitter
        self._send_bound = settings.smtp_timeout_seconds * SEND_BOUND_TIMEOUTS
        self._wakeups = Wakeups(pool, StoreStats(), channel=CHANNEL)
        self._task: asyncio.Task[None] | None = None
        self.stats = MailerStats()

    async def start(self) -> None:
        """LISTEN for new mail, then drain the outbox until `close`."""
        if isinstance(self._transport, LogTransport):
            log.info("no SMTP server configured (BRIDGEWORK_SMTP_HOST): mail is written to the log")
        await self._wakeups.start()
        self._task = asyncio.create_task(self.run(), name="mailer")

    @property
    def listening(self) -> bool:
        """True while NOTIFY wakes this mailer; False while it falls back to polling."""
        return self._wakeups.listening

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._wakeups.close()

    async def run(self) -> None:
        delay = DATABASE_RETRY_SECONDS[0]
        while True:
            signal = self._wakeups.signal  # taken before looking: a NOTIFY from now on counts
            try:
                while await self.drain_once() == self._batch:
                    pass  # a full batch: more may be due
                due = await seconds_to_next_due(self._pool)
            except Exception as e:  # the mailer outlives an outage, or any one bad round
                if isinstance(e, OSError | asyncpg.PostgresError | asyncpg.InterfaceError):
                    log.warning("mailer: the database did not answer (%s)", type(e).__name__)
                else:
                    log.exception("mailer: a round failed; trying again")
                await asyncio.sleep(delay)
                delay = min(delay * 2, DATABASE_RETRY_SECONDS[1])
                continue
            delay = DATABASE_RETRY_SECONDS[0]
            poll = self._settings.poll_seconds
            await self._wakeups.wait(signal, poll if due is None else max(min(poll, due), 0.01))

    async def drain_once(self) -> int:
        """Claim one batch of due mail and send it; the number of mails claimed."""
        lease = self._send_bound + LEASE_MARGIN_SECONDS
        batch = await claim(self._pool, self._batch, lease)
        outcomes = await asyncio.gather(*(self._deliver(m) for m in batch), return_exceptions=True)
        for mail, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):  # its lease brings it round again
                log.warning("mail %s: no outcome recorded (%s)", mail.id, type(outcome).__name__)
            elif isinstance(outcome, BaseException):
                raise outcome
        return len(batch)

    async def _deliver(self, mail: Claimed) -> None:
        max_attempts = self._settings.max_attempts
        if mail.attempts > max_attempts:  # its last try ended with no outcome (a crash)
            await self._give_up(mail, "no outcome recorded for the last attempt")
            return
        try:
            message = build_message(mail, self._settings.sender)
            await asyncio.wait_for(self._transport.send(message), self._send_bound)
        except SendFailed as e:
            error = str(e)
        except TimeoutError:
            error = "the SMTP server did not answer in time"
        except Exception:  # a transport's own bug: retried like any failure, and logged
            log.exception("mail %s: the transport failed unexpectedly", mail.id)
            error = "sending failed unexpectedly"
        else:
            await mark_sent(self._pool, mail.id)
            self.stats.sent += 1
            log.info("mail %s sent (attempt %d)", mail.id, mail.attempts)
            return
        if mail.attempts >= max_attempts:
            await self._give_up(mail, error)
            return
        retry_in = self.retry_delay(mail.attempts)
        await mark_failed(self._pool, mail.id, error, retry_in)
        self.stats.failed_attempts += 1
        log.warning(
            "mail %s: attempt %d of %d failed (%s); next try in %.0f s",
            mail.id,
            mail.attempts,
            max_attempts,
            error,
            retry_in,
        )

    def retry_delay(self, attempts: int) -> float:
        """Exponential backoff with jitter: the `attempts`-th delay is 1/2 to 1 times
        first * 2^(attempts-1), capped, so mailers retrying together spread out."""
        s = self._settings
        ceiling = min(s.retry_first_seconds * 2.0 ** (attempts - 1), s.retry_max_seconds)
        return ceiling * (0.5 + self._jitter() / 2)

    async def _give_up(self, mail: Claimed, error: str) -> None:
        await mark_given_up(self._pool, mail.id, error)
        self.stats.given_up += 1
        log.error(
            "mail %s given up after %d attempt(s): %s (its row stays in the outbox)",
            mail.id,
            mail.attempts,
            error,
        )
