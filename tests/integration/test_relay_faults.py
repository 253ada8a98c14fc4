"""The relay under faults: the `bridgework relay nats` process killed with SIGKILL mid-batch and
started again loses nothing and lets no duplicate reach a consumer; PostgreSQL restarted under
a running relay is waited out; the command refuses a stream it must not use, saying why."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess

import nats
import pytest
from bridgework.infra.database import create_pool
from bridgework.infra.migrate import migrate
from bridgework.infra.relay.relay import Relay
from bridgework.infra.relay.settings import RelaySettings
from bridgework.infra.store import PostgresEventStore
from support.jetstream import consumer, eventually, receive, stream_messages
from support.log import one_new_stream, read_all
from support.postgres import own_folder
from support.serve import BRIDGEWORK, cli, environment

EVENTS = 30_000
RELAYED_UP_TO = """
SELECT count(*) FROM events AS e, relay_checkpoints AS r
WHERE r.name = 'nats' AND (e.tx_id, e.position) <= (r.tx_id, r.position)
"""


def relay_process(database_url: str, nats_url: str, data_dir) -> subprocess.Popen[str]:
    env = environment(DATABASE_URL=database_url, BRIDGEWORK_RELAY_BATCH="2000")
    return subprocess.Popen(  # noqa: S603 - our own console script
        [str(BRIDGEWORK), "relay", "nats", "--url", nats_url, "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


async def killed_mid_batch(pool, database_url: str, nats_url: str, data_dir) -> bool:
    """Start the relay, SIGKILL it once events beyond its checkpoint are in the stream;
    whether the stream then held events the checkpoint had not reached (a batch cut short)."""
    process = relay_process(database_url, nats_url, data_dir)
    try:

        async def in_flight() -> bool:
            done = await pool.fetchval(RELAYED_UP_TO)
            with contextlib.suppress(Exception):  # the stream is made a moment after start
                return await stream_messages(nats_url, "BRIDGEWORK") > done
            return False

        await eventually(in_flight)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    done = await pool.fetchval(RELAYED_UP_TO)
    return done < EVENTS and await stream_messages(nats_url, "BRIDGEWORK") > done


async def test_a_relay_killed_mid_batch_loses_nothing_and_duplicates_nothing(
    pool, store, database_url, nats_server
):
    for _ in range(EVENTS // 5000):
        await store.append([one_new_stream(5000)])
    with own_folder() as data_dir:
        cut_short = [await killed_mid_batch(pool, database_url, nats_server.url, data_dir)]
        while not cut_short[-1] and len(cut_short) < 5:  # killed between two batches: again
            cut_short.append(await killed_mid_batch(pool, database_url, nats_server.url, data_dir))
        assert cut_short[-1], "the relay was never killed in the middle of a batch"
        process = relay_process(database_url, nats_server.url, data_dir)
        try:
            await eventually(lambda: pool.fetchval(f"SELECT ({RELAYED_UP_TO}) = {EVENTS}"))
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0
        args = ("status", "--json", "--data-dir", str(data_dir))
        env = environment(DATABASE_URL=database_url)
        status = await asyncio.to_thread(cli, *args, env=env)
    async with consumer(nats_server.url, "BRIDGEWORK", "warehouse") as sub:
        messages = await receive(sub, EVENTS)
    ids = [m.headers["Nats-Msg-Id"] for m in messages]
    assert ids == [str(e.event_id) for e in await whole_log(store)]  # each once, in order
    assert await stream_messages(nats_server.url, "BRIDGEWORK") == EVENTS
    [relayed] = json.loads(status.stdout)["relays"]
    assert relayed["name"] == "nats"
    assert relayed["position"] == (await pool.fetchval("SELECT max(position) FROM events"))
    assert relayed["events"] == 0


async def whole_log(store):
    events = await read_all(store)
    while more := await read_all(store, events[-1].checkpoint):
        events += more
    return events


@pytest.fixture
async def private(private_postgres):
    pool = await create_pool(private_postgres.url(), 2, 10)
    store = PostgresEventStore(pool)
    try:
        await migrate(pool)
        await store.start()
        yield private_postgres, pool, store
    finally:
        await store.close()
        await pool.close()


async def test_postgresql_restarted_under_a_running_relay_is_waited_out(private, nats_server):
    server, pool, store = private
    await store.append([one_new_stream(50)])
    settings = RelaySettings(nats_url=nats_server.url, batch_size=20, ack_timeout_seconds=3)
    relay = Relay(pool, store, settings, source="/test", poll_seconds=0.2)
    task = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: pool.fetchval(f"SELECT ({RELAYED_UP_TO}) = 50"))
        await asyncio.to_thread(server.restart, 1.0)
        await eventually(lambda: append_when_back(store))
        await eventually(lambda: pool.fetchval(f"SELECT ({RELAYED_UP_TO}) = 100"))
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    async with consumer(nats_server.url, "BRIDGEWORK", "after-outage") as sub:
        messages = await receive(sub, 100)
    assert [m.headers["Nats-Msg-Id"] for m in messages] == [
        str(e.event_id) for e in await read_all(store)
    ]
    assert relay.stats.database_faults >= 1


async def append_when_back(store) -> bool:
    try:
        await store.append([one_new_stream(50)])
    except Exception:  # the database is still coming back
        return False
    return True


async def test_the_command_refuses_a_stream_it_must_not_use_saying_why(database_url, nats_server):
    nc = await nats.connect(nats_server.url)
    try:
        await nc.jetstream().add_stream(name="ORDERS", subjects=["orders.>"])
    finally:
        await nc.close()
    env = environment(DATABASE_URL=database_url)
    with own_folder() as data_dir:
        args = ("relay", "nats", "--url", nats_server.url, "--data-dir", str(data_dir))
        done = await asyncio.to_thread(cli, *args, "--stream", "ORDERS", env=env)
    nc = await nats.connect(nats_server.url)
    try:
        await nc.jetstream().delete_stream("ORDERS")
    finally:
        await nc.close()
    assert done.returncode == 1
    assert "stream ORDERS: its subjects are ['orders.>']" in done.stderr
    assert "do not take 'bridgework.>'" in done.stderr


def test_the_command_names_a_bad_option():
    done = cli("relay", "nats", "--url", "http://localhost:4222")
    assert done.returncode == 2
    assert "--url: invalid nats_url value: 'http://localhost:4222'" in done.stderr
    done = cli("relay", "nats", "--url", "nats://127.0.0.1:4222", "--stream", "a.b")
    assert done.returncode == 2
    assert "--stream: invalid name value: 'a.b'" in done.stderr
