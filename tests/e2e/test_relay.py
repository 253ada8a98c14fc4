"""The real `bridgework serve` with its in-process relay on (`BRIDGEWORK_RUN_RELAY`), over real
sockets: what coordinators do through GraphQL reaches a nats-py durable pull consumer on the
JetStream stream, each event once, as the `events` query lists it, personal fields redacted;
`/metrics` shows the relay."""

from __future__ import annotations

import json

import httpx
import nats
from support.api import ORG, STUDENT_AT
from support.jetstream import consumer, eventually, receive
from support.serve import Serve, environment, payload, read_log

SOURCE = "https://bridgework.example.org/lincoln"


async def test_serve_relays_what_coordinators_do_to_a_jetstream_consumer(data_dir, nats_server):
    env = environment(
        BRIDGEWORK_RUN_RELAY="true",
        BRIDGEWORK_NATS_URL=nats_server.url,
        BRIDGEWORK_EVENT_SOURCE=SOURCE,
        BRIDGEWORK_POLL_INTERVAL="0.2",
    )
    with Serve(data_dir, env=env) as server:
        async with server.http() as admin:
            school = (await payload(admin, ORG, name="Relay High", kind="SCHOOL"))["id"]
            await payload(admin, STUDENT_AT, name="Rae Relay", school=school)
            logged = await read_log(admin)

        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:

            async def relayed() -> bool:
                published = f'bridgework_relay_published_total{{relay="nats"}} {len(logged)}.0'
                return published in (await client.get("/metrics")).text

            await eventually(relayed)
            metrics = (await client.get("/metrics")).text
        async with consumer(nats_server.url, "BRIDGEWORK", "sis") as sub:
            messages = await receive(sub, len(logged))
        server.stop()  # SIGTERM: the relay stops with the server, exit status 0
    bodies = [json.loads(m.data) for m in messages]
    assert [b["id"] for b in bodies] == [e["eventId"] for e in logged]
    assert [m.subject for m in messages] == [
        "bridgework.directory.OrganizationRegistered",
        "bridgework.directory.StudentRegistered",
    ]
    assert {b["source"] for b in bodies} == {SOURCE}
    assert bodies[0]["data"]["name"] == "Relay High"
    assert bodies[1]["data"]["name"] is None  # personal: redacted unless configured
    assert bodies[1]["data"]["dateOfBirth"] is None
    assert 'bridgework_relay_lag_events{relay="nats"} 0.0' in metrics
    assert 'bridgework_relay_connected{relay="nats"} 1.0' in metrics


async def test_serve_keeps_serving_when_its_relay_refuses_the_stream_saying_why(
    data_dir, nats_server
):
    nc = await nats.connect(nats_server.url)
    try:
        await nc.jetstream().add_stream(name="BRIDGEWORK", subjects=["elsewhere.>"])
    finally:
        await nc.close()
    env = environment(BRIDGEWORK_RUN_RELAY="true", BRIDGEWORK_NATS_URL=nats_server.url)
    with Serve(data_dir, env=env) as server:
        output = server.wait_for_output("the NATS relay stopped")
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            assert (await client.get("/health")).status_code == 200
            metrics = (await client.get("/metrics")).text
        server.stop()
    assert "stream BRIDGEWORK: its subjects are ['elsewhere.>']" in output
    assert 'bridgework_relay_connected{relay="nats"} 0.0' in metrics
