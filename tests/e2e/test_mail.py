"""The mailer runs with the real `bridgework serve`: mail enqueued in its database reaches a
real SMTP server, and with none configured it is written to the server's output."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import httpx
from bridgework.infra.mail import enqueue
from prometheus_client.parser import text_string_to_metric_families
from support.log import until
from support.serve import Serve, cli, environment
from support.smtp import Inbox, free_port, smtp_server

LINK = "https://bridgework.test/verify?token=e2e"


async def enqueue_link(database_url: str, to: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await enqueue(
                conn, dedupe_key="e2e", to=to, subject="Please verify 2 hours", body=f"{LINK}\n"
            )
    finally:
        await conn.close()


async def test_serve_sends_an_enqueued_mail_to_the_configured_smtp_server(data_dir, database_url):
    inbox, port = Inbox(), free_port()
    env = environment(
        DATABASE_URL=database_url,
        BRIDGEWORK_SMTP_HOST="127.0.0.1",
        BRIDGEWORK_SMTP_PORT=str(port),
        BRIDGEWORK_SMTP_SECURITY="none",
        BRIDGEWORK_MAIL_FROM="Bridgework <links@bridgework.test>",
    )
    with smtp_server(port, inbox), Serve(data_dir, env=env) as server:
        await enqueue_link(database_url, "supervisor@example.org")
        await until(lambda: len(inbox.received) == 1, 60)
        await asyncio.to_thread(server.wait_for_output, "sent (attempt 1)")
        async with httpx.AsyncClient(timeout=30) as client:
            metrics = (await client.get(f"{server.url}/metrics")).text
        server.stop()

    got = inbox.received[0]
    assert got.rcpt_tos == ["supervisor@example.org"]
    assert got.message["From"] == "Bridgework <links@bridgework.test>"
    assert got.body == f"{LINK}\n"
    samples = {
        (s.name, tuple(s.labels.values())): s.value
        for family in text_string_to_metric_families(metrics)
        for s in family.samples
    }
    assert samples[("bridgework_mail_sent_total", ())] == 1
    assert samples[("bridgework_mail_outbox", ("sent",))] == 1
    assert samples[("bridgework_mail_outbox", ("waiting",))] == 0
    status = await asyncio.to_thread(cli, "status", "--json", "--data-dir", str(data_dir), env=env)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["mail"] == {
        "waiting": 0,
        "retrying": 0,
        "given_up": 0,
        "sent": 1,
    }
    readable = await asyncio.to_thread(cli, "status", "--data-dir", str(data_dir), env=env)
    assert "mail: 0 waiting, none given up, 1 sent" in readable.stdout


async def test_serve_with_no_smtp_server_writes_the_mail_to_its_output(data_dir, database_url):
    with Serve(data_dir, env=environment(DATABASE_URL=database_url)) as server:
        assert "mail is written to the log" in server.output()
        await enqueue_link(database_url, "supervisor@example.org")
        output = await asyncio.to_thread(server.wait_for_output, LINK)
        server.stop()

    assert "to supervisor@example.org, subject 'Please verify 2 hours'" in output
