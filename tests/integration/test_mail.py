"""The outbox and the mailer on real PostgreSQL, delivering to a real SMTP server (aiosmtpd on
a local port): only committed mail leaves, once per dedupe key and once across mailers, with
retries while the server is down, and written to the log when no server is configured."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid

import asyncpg
import pytest
from bridgework.infra.database import create_pool
from bridgework.infra.mail import InvalidMail, enqueue, outbox_counts
from bridgework.infra.mail.mailer import Mailer
from bridgework.infra.mail.observed import mail_report
from bridgework.infra.mail.outbox import claim, seconds_to_next_due
from bridgework.infra.mail.settings import MailSettings
from bridgework.infra.migrate import migrate
from support.log import until
from support.smtp import Inbox, free_port, smtp_server

SENDER = "Bridgework <no-reply@bridgework.test>"
LINK = "https://bridgework.test/verify?token=abc123"
DEADLINE = 10.0
LONG_POLL = 60.0
"""The mailer's fallback poll in these tests: anything faster was woken by NOTIFY."""


def settings(port: int, **changes) -> MailSettings:
    base = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "smtp_timeout_seconds": 5.0,
        "sender": SENDER,
        "retry_first_seconds": 0.05,
        "retry_max_seconds": 0.4,
        "poll_seconds": LONG_POLL,
    }
    return MailSettings(**(base | changes))


@contextlib.asynccontextmanager
async def running(pool, mail_settings: MailSettings, **kw):
    mailer = Mailer(pool, mail_settings, **kw)
    await mailer.start()
    try:
        yield mailer
    finally:
        await mailer.close()


async def enqueue_one(pool, key: str = "hours-1", to: str = "supervisor@example.org") -> bool:
    async with pool.acquire() as conn, conn.transaction():
        return await enqueue(
            conn, dedupe_key=key, to=to, subject="Please verify 3 hours", body=f"Open {LINK}\n"
        )


async def row(pool, key: str):
    return await pool.fetchrow("SELECT * FROM outbox WHERE dedupe_key = $1", key)


@pytest.fixture
def inbox():
    return Inbox()


@pytest.fixture
def smtp(inbox):
    port = free_port()
    with smtp_server(port, inbox):
        yield port


async def test_a_committed_mail_arrives_with_its_headers_and_body_and_leaves_an_audit_row(
    pool, inbox, smtp
):
    async with running(pool, settings(smtp)) as mailer:
        assert await enqueue_one(pool) is True
        await until(lambda: len(inbox.received) == 1, DEADLINE)  # woken: the poll is 60 s
        await until(lambda: mailer.stats.sent == 1, DEADLINE)

    got = inbox.received[0]
    sent = await row(pool, "hours-1")
    assert got.rcpt_tos == ["supervisor@example.org"]
    assert got.mail_from == "no-reply@bridgework.test"
    assert got.message["To"] == "supervisor@example.org"
    assert got.message["From"] == SENDER
    assert got.message["Subject"] == "Please verify 3 hours"
    assert got.message["Message-ID"] == f"<{sent['id']}@bridgework.test>"
    assert got.body == f"Open {LINK}\n"
    # The audit stays: to whom and when; the link (a credential) does not.
    assert sent["recipient"] == "supervisor@example.org"
    assert sent["sent_at"] is not None
    assert sent["body"] is None
    assert sent["attempts"] == 1
    assert sent["last_error"] is None


async def test_a_mail_enqueued_in_a_rolled_back_transaction_is_never_sent(pool, inbox, smtp):
    async with running(pool, settings(smtp)):
        with contextlib.suppress(RuntimeError):
            async with pool.acquire() as conn, conn.transaction():
                await enqueue(conn, dedupe_key="lost", to="a@example.org", subject="s", body="b")
                raise RuntimeError("the deciding transaction fails")
        await enqueue_one(pool, "kept", "b@example.org")
        await until(lambda: len(inbox.received) == 1, DEADLINE)
        await asyncio.sleep(0.2)

    assert [r.rcpt_tos for r in inbox.received] == [["b@example.org"]]
    assert await row(pool, "lost") is None


async def test_the_same_dedupe_key_twice_sends_one_mail(pool, inbox, smtp):
    assert await enqueue_one(pool, "hours-7") is True
    assert await enqueue_one(pool, "hours-7", "someone-else@example.org") is False
    async with running(pool, settings(smtp)) as mailer:
        await until(lambda: mailer.stats.sent == 1, DEADLINE)
        assert await enqueue_one(pool, "hours-7") is False  # after sending too
        await asyncio.sleep(0.3)

    assert [r.rcpt_tos for r in inbox.received] == [["supervisor@example.org"]]
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 1


async def test_while_smtp_is_down_a_mail_is_retried_with_backoff_then_delivered(pool, inbox):
    port = free_port()  # nothing listens there yet
    async with running(pool, settings(port), jitter=lambda: 1.0) as mailer:
        await enqueue_one(pool)
        await until(lambda: mailer.stats.failed_attempts >= 3, DEADLINE)
        failing = await row(pool, "hours-1")
        assert failing["sent_at"] is None
        assert failing["body"] is not None
        assert failing["last_error"] == "could not reach the SMTP server"  # our words
        with smtp_server(port, inbox):
            await until(lambda: len(inbox.received) == 1, DEADLINE)
            await until(lambda: mailer.stats.sent == 1, DEADLINE)

    delivered = await row(pool, "hours-1")
    assert delivered["sent_at"] is not None
    assert delivered["attempts"] == mailer.stats.failed_attempts + 1
    assert delivered["last_error"] is None
    assert inbox.received[0].body == f"Open {LINK}\n"


def test_the_backoff_doubles_up_to_its_cap_with_jitter_between_half_and_all_of_it():
    s = settings(25, retry_first_seconds=1.0, retry_max_seconds=10.0)
    high, low = Mailer(None, s, jitter=lambda: 1.0), Mailer(None, s, jitter=lambda: 0.0)
    assert [high.retry_delay(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]
    assert [low.retry_delay(n) for n in range(1, 7)] == [0.5, 1, 2, 4, 5, 5]


async def test_a_mail_is_given_up_after_its_last_attempt_and_reported(pool, caplog):
    port = free_port()
    caplog.set_level(logging.ERROR, "bridgework.mail")
    async with running(pool, settings(port, max_attempts=3)) as mailer:
        await enqueue_one(pool)
        await until(lambda: mailer.stats.given_up == 1, DEADLINE)

    dead = await row(pool, "hours-1")
    assert dead["given_up_at"] is not None
    assert dead["sent_at"] is None
    assert dead["attempts"] == 3
    assert dead["body"] is None
    assert dead["last_error"] == "could not reach the SMTP server"
    assert mailer.stats.failed_attempts == 2
    assert f"mail {dead['id']} given up after 3 attempt(s)" in caplog.text
    counts = await outbox_counts(pool)
    assert (counts.waiting, counts.given_up, counts.sent) == (0, 1, 0)
    assert "1 given up" in mail_report(counts)  # as `bridgework status` shows it


async def test_two_mailers_racing_send_each_mail_once(database_url, inbox, smtp):
    pools = [await create_pool(database_url, 2, 6) for _ in range(2)]
    try:
        mailers = [Mailer(p, settings(smtp), batch=3) for p in pools]
        async with pools[0].acquire() as conn, conn.transaction():
            for n in range(40):
                await enqueue(
                    conn, dedupe_key=f"m{n}", to=f"s{n}@example.org", subject="s", body=f"{n}"
                )
        await asyncio.gather(*(m.start() for m in mailers))
        try:
            await until(lambda: len(inbox.received) >= 40, DEADLINE * 2)
            await asyncio.sleep(0.5)  # room for any second copy to arrive
        finally:
            await asyncio.gather(*(m.close() for m in mailers))
        ids = inbox.message_ids()
        assert len(ids) == 40
        assert len(set(ids)) == 40
        assert sum(m.stats.sent for m in mailers) == 40
        assert await pools[0].fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0
    finally:
        for p in pools:
            await p.close()


async def test_a_claim_skips_mail_another_mailer_holds_and_never_takes_a_leased_one(pool):
    for n in range(6):
        await enqueue_one(pool, f"k{n}", f"s{n}@example.org")
    async with pool.acquire() as conn, conn.transaction():
        held = await conn.fetch("SELECT id FROM outbox ORDER BY dedupe_key LIMIT 2 FOR UPDATE")
        others = await claim(pool, 10, 60)  # while the other claim is still open
        assert len(others) == 4
        assert {m.id for m in others}.isdisjoint(r["id"] for r in held)
    rest = await claim(pool, 10, 60)
    assert {m.id for m in rest} == {r["id"] for r in held}
    assert await claim(pool, 10, 60) == []  # all six are leased now
    assert await pool.fetchval("SELECT sum(attempts) FROM outbox") == 6


async def test_a_mail_claimed_by_a_mailer_that_died_is_sent_once_its_lease_ends(pool, inbox, smtp):
    await enqueue_one(pool)
    [held] = await claim(pool, 10, 0.3)  # as a mailer would, before it crashed
    async with running(pool, settings(smtp, poll_seconds=0.1)) as mailer:
        await until(lambda: mailer.stats.sent == 1, DEADLINE)

    assert inbox.message_ids() == [f"<{held.id}@bridgework.test>"]  # the same on any resend
    assert (await row(pool, "hours-1"))["attempts"] == 2


@pytest.mark.parametrize(
    ("to", "subject", "field"),
    [
        ("supervisor@example.org\r\nBcc: everyone@example.org", "Verify", "to"),
        ("supervisor@example.org\nBcc: everyone@example.org", "Verify", "to"),
        ("a@example.org, b@example.org", "Verify", "to"),
        ("Supervisor <a@example.org>", "Verify", "to"),
        ("not an address", "Verify", "to"),
        ("", "Verify", "to"),
        ("a@example.org", "Verify\r\nBcc: everyone@example.org", "subject"),
        ("a@example.org", "", "subject"),
    ],
)
async def test_header_injection_and_bad_addresses_are_refused_naming_the_field(
    pool, to, subject, field
):
    async with pool.acquire() as conn, conn.transaction():
        with pytest.raises(InvalidMail) as refused:
            await enqueue(conn, dedupe_key="k", to=to, subject=subject, body="b")
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: ")
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_with_no_smtp_server_the_mail_is_written_to_the_log_and_counts_as_sent(pool, caplog):
    caplog.set_level(logging.INFO, "bridgework.mail")
    async with running(pool, MailSettings(poll_seconds=LONG_POLL)) as mailer:
        await enqueue_one(pool, f"dev-{uuid.uuid4()}")
        await until(lambda: mailer.stats.sent == 1, DEADLINE)

    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any(
        "supervisor@example.org" in m and "Please verify 3 hours" in m and LINK in m for m in logged
    )
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL") == 1


class BrokenTransport:
    async def send(self, message):
        raise RuntimeError("a bug in the transport")


async def test_a_transport_that_breaks_unexpectedly_is_retried_like_any_failure(pool, caplog):
    caplog.set_level(logging.ERROR, "bridgework.mail")
    broken = settings(free_port(), max_attempts=2)
    async with running(pool, broken, transport=BrokenTransport()) as mailer:
        await enqueue_one(pool)
        await until(lambda: mailer.stats.given_up == 1, DEADLINE)

    dead = await row(pool, "hours-1")
    assert dead["last_error"] == "sending failed unexpectedly"  # not the exception's text
    assert mailer.stats.failed_attempts == 1
    assert "the transport failed unexpectedly" in caplog.text


async def test_the_mailer_outlives_a_database_restart_and_is_woken_again(
    private_postgres, inbox, smtp, caplog
):
    caplog.set_level(logging.WARNING, "bridgework.mail")
    url = await asyncio.to_thread(private_postgres.create_database)
    pool = await create_pool(url, 1, 4)
    try:
        await migrate(pool)
        async with running(pool, settings(smtp)) as mailer:
            await asyncio.to_thread(private_postgres.stop)
            await asyncio.sleep(1.0)  # rounds meet the outage meanwhile
            await asyncio.to_thread(private_postgres.start)
            await until(lambda: mailer.listening, DEADLINE * 3)
            await enqueue_when_up(pool)
            await until(lambda: len(inbox.received) == 1, DEADLINE)  # the poll is 60 s
        assert "mailer: the database did not answer" in caplog.text
    finally:
        await pool.close()


async def enqueue_when_up(pool, deadline: float = 60.0) -> None:
    end = time.monotonic() + deadline
    while True:
        try:
            await enqueue_one(pool)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            if time.monotonic() > end:
                raise
            await asyncio.sleep(0.1)
        else:
            return


async def test_an_empty_outbox_has_nothing_due_and_an_idle_mailer_does_not_spin(pool, monkeypatch):
    assert await seconds_to_next_due(pool) is None  # not "due now"
    rounds = 0
    drain = Mailer.drain_once

    async def counted(self):
        nonlocal rounds
        rounds += 1
        return await drain(self)

    monkeypatch.setattr(Mailer, "drain_once", counted)
    async with running(pool, MailSettings(poll_seconds=LONG_POLL)):
        await asyncio.sleep(1.0)
    assert rounds <= 2  # one look at start-up, then it sleeps until a NOTIFY or the poll
    await enqueue_one(pool, f"due-{uuid.uuid4()}")
    assert await seconds_to_next_due(pool) == 0.0
