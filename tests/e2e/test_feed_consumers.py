"""Against the real `serve` over real sockets (httpx, an integration's API key): a named
consumer reads and acknowledges, the server is stopped and started again on the same data
folder, and the consumer resumes exactly after what it acknowledged; a long poll returns when
a mutation commits; a waiting request ends when its client goes away, and when the server
shuts down."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest
from support.api import ORG, STUDENT_AT
from support.serve import Serve, payload, run

CREATE_KEY = """mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
  __typename ... on ApiKeyCreated { key } ... on UserError { message } } }"""
DEADLINE_SECONDS = 60
"""How long to wait for the server to reach a state: a deadline, never a measure."""
LIVE = re.compile(r"^bridgework_live_subscribers (\S+)$", re.MULTILINE)


async def waiting(server: Serve, count: int, within: float = DEADLINE_SECONDS) -> None:
    """Until `count` requests or subscriptions wait at the head of the log (`/metrics`)."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        while True:
            found = LIVE.search((await client.get("/metrics")).text)
            if found is not None and float(found[1]) == count:
                return
            if time.monotonic() > deadline:
                pytest.fail(f"not {count} waiting within {within} s")
            await asyncio.sleep(0.05)


async def school_with_key(server: Serve) -> tuple[str, dict[str, str]]:
    async with server.http() as admin:
        school = (await payload(admin, ORG, name="Resume School", kind="SCHOOL"))["id"]
        for name in ("Ana", "Bo", "Cy"):
            await payload(admin, STUDENT_AT, name=name, school=school)
        made = await run(admin, CREATE_KEY, input={"name": "SIS", "organizationIds": [school]})
    return school, {"Authorization": f"Bearer {made['createApiKey']['key']}"}


async def consume(client: httpx.AsyncClient, **params: str) -> tuple[list[dict], str]:
    response = await client.get("/feed", params={"consumer": "sis"} | params)
    assert response.status_code == 200, response.text
    return response.json(), response.headers["bridgework-next-cursor"]


async def ack(client: httpx.AsyncClient, cursor: str) -> None:
    response = await client.post("/feed/consumers/sis/ack", json={"cursor": cursor})
    assert response.status_code == 200, response.text


async def caught_up(client: httpx.AsyncClient) -> str:
    """Read and acknowledge everything there is; the cursor acknowledged."""
    _, cursor = await consume(client, limit="1000")
    await ack(client, cursor)
    return cursor


@pytest.mark.slow
async def test_a_consumer_resumes_after_its_ack_across_a_restart(data_dir):
    with Serve(data_dir) as first:
        school, key = await school_with_key(first)
        async with httpx.AsyncClient(base_url=first.url, headers=key, timeout=60) as client:
            acked, cursor = await consume(client, limit="2")
            await ack(client, cursor)
            unacked, _ = await consume(client, limit="1")  # handed out, never acknowledged
        first.stop()
    assert [e["type"] for e in acked] == [
        "bridgework.directory.OrganizationRegistered",
        "bridgework.directory.StudentRegistered",
    ]
    with Serve(data_dir) as second:
        async with httpx.AsyncClient(base_url=second.url, headers=key, timeout=60) as client:
            rest, cursor = await consume(client)
            await ack(client, cursor)
            listed = (await client.get("/feed/consumers")).json()["consumers"]
            async with second.http() as admin:
                await payload(admin, STUDENT_AT, name="Dee", school=school)
            new, _ = await consume(client)
    assert rest[0]["id"] == unacked[0]["id"]  # exactly after the ack: nothing lost
    assert len(rest) == 2
    assert {e["id"] for e in rest}.isdisjoint(e["id"] for e in acked)  # nothing repeated
    assert [(c["name"], c["cursor"], c["lag"]) for c in listed] == [("sis", cursor, 0)]
    assert [e["type"] for e in new] == ["bridgework.directory.StudentRegistered"]


async def test_a_long_poll_returns_when_a_mutation_commits(server):
    school, key = await school_with_key(server)
    async with httpx.AsyncClient(base_url=server.url, headers=key, timeout=60) as client:
        cursor = await caught_up(client)
        poll = asyncio.create_task(consume(client, wait="30"))
        await waiting(server, 1)
        async with server.http() as admin:
            await payload(admin, STUDENT_AT, name="Eli Late", school=school)
        found, after = await asyncio.wait_for(poll, DEADLINE_SECONDS)
    assert [e["type"] for e in found] == ["bridgework.directory.StudentRegistered"]
    assert after != cursor
    await waiting(server, 0)


async def test_a_waiting_request_ends_when_its_client_goes_away(server):
    _, key = await school_with_key(server)
    async with httpx.AsyncClient(base_url=server.url, headers=key, timeout=60) as client:
        await caught_up(client)
        poll = asyncio.create_task(consume(client, wait="30"))
        await waiting(server, 1)
        poll.cancel()  # httpx closes the connection
        with pytest.raises(asyncio.CancelledError):
            await poll
    await waiting(server, 0, within=20)  # let go of: not held to the end of its 30 s


@pytest.mark.slow
async def test_a_shutdown_answers_a_waiting_request_at_once(data_dir):
    with Serve(data_dir) as running:
        _, key = await school_with_key(running)
        # A client deadline shorter than the wait: only an answer at shutdown passes.
        async with httpx.AsyncClient(base_url=running.url, headers=key, timeout=20) as client:
            cursor = await caught_up(client)
            poll = asyncio.create_task(consume(client, wait="30"))
            await waiting(running, 1)
            stopped = asyncio.create_task(asyncio.to_thread(running.stop))  # exit status 0
            found, after = await poll
            await stopped
    assert (found, after) == ([], cursor)
