"""The NATS JetStream relay against a real `nats-server -js` and real PostgreSQL: every public
event reaches a JetStream consumer exactly once, as CloudEvents JSON on its public type's
subject with `Nats-Msg-Id` = its event id; the checkpoint moves only after the acks; a batch
published again is dropped by the stream's duplicate window; a stream it must not use is a
clear error."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json

import nats
import pytest
from bridgework.infra.relay.checkpoints import lag_of
from bridgework.infra.relay.relay import Relay
from bridgework.infra.relay.settings import RelaySettings
from bridgework.infra.relay.stream import StreamMismatch
from bridgework.services.directory import RegisterStudent, register_student
from support.context import staff
from support.jetstream import consumer, eventually, receive, stream_messages
from support.log import one_new_stream, read_all

SOURCE = "/bridgework/test"
SUBJECT = "bridgework.enrollment.StudentEnrolled"


def settings_for(url: str, **changes: object) -> RelaySettings:
    return RelaySettings(nats_url=url, **({"batch_size": 40, "ack_timeout_seconds": 3} | changes))


@contextlib.asynccontextmanager
async def running(relay: Relay):
    task = asyncio.create_task(relay.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def relayed_to(pool, name: str = "nats"):
    return await pool.fetchrow(
        "SELECT tx_id, position, relayed FROM relay_checkpoints WHERE name = $1", name
    )


async def caught_up(pool, store, name: str = "nats") -> bool:
    head = (await read_all(store))[-1].checkpoint
    row = await relayed_to(pool, name)
    return row is not None and (int(row["tx_id"]), row["position"]) == tuple(head)


async def test_every_public_event_reaches_a_jetstream_consumer_exactly_once(
    pool, store, nats_server
):
    for _ in range(3):
        await store.append([one_new_stream(50)])
    relay = Relay(pool, store, settings_for(nats_server.url), source=SOURCE, poll_seconds=0.2)
    async with running(relay):
        await eventually(lambda: caught_up(pool, store))
        async with consumer(nats_server.url, "BRIDGEWORK", "audit") as sub:
            await store.append([one_new_stream(30)])  # while it follows the log
            messages = await receive(sub, 180)
        await eventually(lambda: caught_up(pool, store))
    log = await read_all(store)
    assert len(messages) == 180
    bodies = [json.loads(m.data) for m in messages]
    assert [b["id"] for b in bodies] == [str(e.event_id) for e in log]  # once each, in order
    assert {m.subject for m in messages} == {SUBJECT}
    assert all(
        m.headers["Nats-Msg-Id"] == b["id"] == m.headers["ce-id"]
        for m, b in zip(messages, bodies, strict=True)
    )
    assert {m.headers["Content-Type"] for m in messages} == {"application/cloudevents+json"}
    first = bodies[0]
    assert first["specversion"] == "1.0"
    assert first["type"] == SUBJECT
    assert first["source"] == SOURCE
    assert int(first["sequence"]) == log[0].position
    assert set(first["data"]) == {"studentId", "timestamp"}
    row = await relayed_to(pool)
    assert row["relayed"] == 180
    assert relay.stats.published == 180
    assert relay.stats.duplicates == 0
    assert (await lag_of(pool, "nats")).events == 0


async def test_a_batch_published_again_is_dropped_by_the_duplicate_window(pool, store, nats_server):
    await store.append([one_new_stream(100)])
    first = Relay(pool, store, settings_for(nats_server.url), source=SOURCE, poll_seconds=0.2)
    async with running(first):
        await eventually(lambda: caught_up(pool, store))
    # As if the relay had crashed after the acks and before its checkpoint moved.
    await pool.execute("UPDATE relay_checkpoints SET tx_id = '0', position = 0")
    again = Relay(pool, store, settings_for(nats_server.url), source=SOURCE, poll_seconds=0.2)
    async with running(again), consumer(nats_server.url, "BRIDGEWORK", "once") as sub:
        await eventually(lambda: caught_up(pool, store))
        messages = await receive(sub, 100)
    assert again.stats.published == 100
    assert again.stats.duplicates == 100
    assert len({m.headers["Nats-Msg-Id"] for m in messages}) == len(messages) == 100
    assert await stream_messages(nats_server.url, "BRIDGEWORK") == 100


async def test_nats_restarted_under_a_running_relay_loses_nothing(pool, store, nats_server):
    nats_server.restartable()
    await store.append([one_new_stream(60)])
    settings = settings_for(nats_server.url, ack_timeout_seconds=1)
    relay = Relay(pool, store, settings, source=SOURCE, poll_seconds=0.2)
    async with running(relay):
        await eventually(lambda: caught_up(pool, store))
        nats_server.stop()
        await store.append([one_new_stream(60)])
        await eventually(lambda: asyncio.sleep(0, not relay.stats.connected))
        nats_server.start()
        await eventually(lambda: caught_up(pool, store))
    async with consumer(nats_server.url, "BRIDGEWORK", "after-restart") as sub:
        messages = await receive(sub, 120)
    ids = [m.headers["Nats-Msg-Id"] for m in messages]
    assert ids == [str(e.event_id) for e in await read_all(store)]
    assert relay.stats.reconnects >= 1


async def test_a_stream_without_the_bridgework_subjects_is_refused_with_a_clear_error(
    pool, store, nats_server
):
    nc = await nats.connect(nats_server.url)
    try:
        await nc.jetstream().add_stream(name="BRIDGEWORK", subjects=["elsewhere.>"])
        relay = Relay(pool, store, settings_for(nats_server.url), source=SOURCE)
        with pytest.raises(StreamMismatch, match=r"do not take 'bridgework\.>'"):
            await asyncio.wait_for(relay.run(), 60)
    finally:
        with contextlib.suppress(Exception):
            await nc.jetstream().delete_stream("BRIDGEWORK")
        await nc.close()
    assert (await relayed_to(pool))["position"] == 0  # nothing moved


async def test_a_stream_that_does_not_acknowledge_is_refused(pool, store, nats_server):
    nc = await nats.connect(nats_server.url)
    try:
        await nc.jetstream().add_stream(name="BRIDGEWORK", subjects=["bridgework.>"], no_ack=True)
        relay = Relay(pool, store, settings_for(nats_server.url), source=SOURCE)
        with pytest.raises(StreamMismatch, match="no_ack is set"):
            await asyncio.wait_for(relay.run(), 60)
    finally:
        with contextlib.suppress(Exception):
            await nc.jetstream().delete_stream("BRIDGEWORK")
        await nc.close()


async def test_the_relay_makes_its_stream_with_file_storage_and_the_duplicate_window(
    pool, store, nats_server
):
    await store.append([one_new_stream(1)])
    settings = settings_for(nats_server.url, stream="EVENTS", duplicate_window_seconds=90)
    relay = Relay(pool, store, settings, source=SOURCE, poll_seconds=0.2)
    async with running(relay):
        await eventually(lambda: caught_up(pool, store))
    nc = await nats.connect(nats_server.url)
    try:
        info = await nc.jetstream().stream_info("EVENTS")
        await nc.jetstream().delete_stream("EVENTS")
    finally:
        await nc.close()
    assert info.config.subjects == ["bridgework.>"]
    assert info.config.storage == "file"
    assert info.config.duplicate_window == 90
    assert info.state.messages == 1


async def test_personal_fields_are_null_unless_the_relay_is_configured_to_open_them(
    pool, store, deps, nats_server
):
    await register_student(deps, staff(), RegisterStudent(name="Ottoline Brackwater", grade=9))
    published = {}
    for personal, stream in ((False, "REDACTED"), (True, "OPENED")):
        settings = settings_for(
            nats_server.url, stream=stream, name=stream.lower(), personal_data=personal
        )
        relay = Relay(pool, store, settings, source=SOURCE, poll_seconds=0.2)
        async with running(relay):
            await eventually(functools.partial(caught_up, pool, store, relay.name))
        async with consumer(nats_server.url, stream, "reader") as sub:
            [message] = await receive(sub, 1)
        published[personal] = json.loads(message.data)["data"]
        nc = await nats.connect(nats_server.url)
        try:
            await nc.jetstream().delete_stream(stream)
        finally:
            await nc.close()
    assert published[False]["name"] is None
    assert published[True]["name"] == "Ottoline Brackwater"
    assert published[False]["grade"] == published[True]["grade"] == 9


async def test_a_relay_started_before_nats_publishes_once_nats_is_up(
    pool, store, nats_server, caplog
):
    nats_server.restartable()
    nats_server.stop()
    await store.append([one_new_stream(10)])
    relay = Relay(pool, store, settings_for(nats_server.url), source=SOURCE, poll_seconds=0.2)
    async with running(relay):
        await eventually(lambda: asyncio.sleep(0, "NATS does not answer" in caplog.text))
        nats_server.start()
        await eventually(lambda: caught_up(pool, store))
    assert relay.stats.published == 10
