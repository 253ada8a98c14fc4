"""Against the real `serve` over real sockets: an endpoint registered through GraphQL (gql
over HTTP) receives, at a local receiver that verifies every signature with the
`standardwebhooks` library, every event in scope, in the log's order; and with the demo
loaded, the receivers down for a while and delivery workers (`bridgework deliver`) killed
and restarted, every event still arrives, verified, duplicates only with the same
`webhook-id`, in order where the endpoint is ordered."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from typing import TYPE_CHECKING, Any

import pytest
from support.postgres import own_folder
from support.receiver import Receiver
from support.serve import (
    BRIDGEWORK,
    CLIENT_SECONDS,
    Serve,
    cli,
    data_folder,
    environment,
    launch_program,
    read_log,
    register_adults,
    run,
)
from support.webhooks import ENDPOINTS, REGISTER

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from gql.client import AsyncClientSession

QUICK = {
    "BRIDGEWORK_WEBHOOK_ALLOW": "127.0.0.1/32",
    "BRIDGEWORK_WEBHOOK_RETRY_SCHEDULE": ",".join(["0"] + ["1"] * 40),
    "BRIDGEWORK_WEBHOOK_POLL": "1",
    "BRIDGEWORK_WEBHOOK_TIMEOUT": "2",
}


async def register(http: AsyncClientSession, receiver: Receiver, mode: str) -> None:
    made = (await run(http, REGISTER, input={"url": receiver.url, "mode": mode}))[
        "registerWebhookEndpoint"
    ]
    assert made["__typename"] == "WebhookEndpointRegistered", made
    receiver.secrets = [made["secret"]]


async def received(receiver: Receiver, ids: list[str]) -> list[dict[str, Any]]:
    """The receiver's verified events once every one of `ids` is among them."""
    deadline = time.monotonic() + CLIENT_SECONDS * 2
    while not set(ids) <= {e["id"] for e in receiver.events()}:
        if time.monotonic() > deadline:
            pytest.fail(f"{len(receiver.events())} of {len(ids)} webhooks received")
        await asyncio.sleep(0.05)
    return receiver.events()


async def settled_log(
    http: AsyncClientSession, receivers: list[Receiver], before: set[str] | None = None
) -> list[str]:
    """The log's event ids (but `before`), read again once every receiver has the first read's:
    a read can miss the newest event a moment (a transaction begun before it committed holds
    gap-safe reads back) that the worker, reading later, has already sent."""

    async def ids() -> list[str]:
        return [e["eventId"] for e in await read_log(http) if e["eventId"] not in (before or ())]

    first = await ids()
    for receiver in receivers:
        await received(receiver, first)
    return await ids()


def firsts(events: list[dict[str, Any]]) -> list[str]:
    """Each id in the order it first arrived."""
    return list(dict.fromkeys(e["id"] for e in events))


async def commands(http: AsyncClientSession, label: str) -> None:
    await launch_program(http, label, capacity=2)
    await register_adults(http, label, 3)


@pytest.fixture(scope="module")
def server(cluster: Path) -> Iterator[Serve]:
    with data_folder(cluster) as data_dir, Serve(data_dir, env=environment(**QUICK)) as running:
        yield running


async def test_serve_sends_every_event_signed_and_in_order(server):
    with Receiver() as ordered, Receiver() as parallel:
        async with server.http() as http:
            before = {e["eventId"] for e in await read_log(http)}
            await register(http, ordered, "ORDERED")
            await register(http, parallel, "PARALLEL")
            await commands(http, "Hooked")
            log = await settled_log(http, [ordered], before)
        got = await received(ordered, log)
        assert firsts(got) == log
        assert set(firsts(await received(parallel, log))) == set(log)
        for receiver in (ordered, parallel):
            assert receiver.unverified() == []
            assert all(d.webhook_id == d.event["id"] for d in receiver.deliveries)
        assert {e["source"] for e in got} == {"/bridgework"}


def deliver(env: dict[str, str], data_dir: Path) -> subprocess.Popen[str]:
    """A worker with serve's data folder: its key file (KEK) unwraps the secrets."""
    return subprocess.Popen(  # noqa: S603 - our own console script
        [str(BRIDGEWORK), "deliver", "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


async def wait_for_failures(http: AsyncClientSession) -> None:
    """Until each endpoint is failing (the receivers are down): an ordered one's failing
    message is its oldest, which the newest messages listed need not include."""
    deadline = time.monotonic() + CLIENT_SECONDS
    while True:
        found = (await run(http, ENDPOINTS))["webhookEndpoints"]
        if all(e["failingSince"] for e in found):
            return
        if time.monotonic() > deadline:
            pytest.fail(f"no failed attempts recorded: {found}")
        await asyncio.sleep(0.2)


async def all_delivered(http: AsyncClientSession) -> list[dict[str, Any]]:
    """The endpoints once every message of theirs is recorded delivered (a run records its
    outcomes after the receiver has them)."""
    deadline = time.monotonic() + CLIENT_SECONDS
    while True:
        found = (await run(http, ENDPOINTS))["webhookEndpoints"]
        if all(m["status"] == "DELIVERED" for e in found for m in e["messages"]):
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"not every message recorded delivered: {found}")
        await asyncio.sleep(0.2)


@pytest.mark.slow
async def test_every_event_arrives_after_receivers_are_down_and_workers_are_killed(
    database_url,
):
    env = environment(**QUICK, DATABASE_URL=database_url, BRIDGEWORK_RUN_WEBHOOKS="false")
    with own_folder() as data_dir, Serve(data_dir, env=env) as serve:
        workers = [
            deliver(env, data_dir),
            deliver(env, data_dir),
        ]  # two workers: neither sends what the other does
        ordered, parallel = Receiver().start(), Receiver().start()
        try:
            async with serve.http() as http:
                await register(http, ordered, "ORDERED")
                await register(http, parallel, "PARALLEL")
                demo = await asyncio.to_thread(cli, "demo", "--data-dir", str(data_dir), env=env)
                assert demo.returncode == 0, demo.stderr
                await commands(http, "Before")
                ordered.stop()
                parallel.stop()
                await commands(http, "While down")
                await wait_for_failures(http)
                for worker in workers:
                    worker.send_signal(signal.SIGKILL)
                    worker.wait()
                await commands(http, "Workers gone")
                ordered.start()
                parallel.start()
                workers = [deliver(env, data_dir), deliver(env, data_dir)]
                await commands(http, "After")
                log = await settled_log(http, [ordered, parallel])
                landed = (await received(ordered, log), await received(parallel, log))
                endpoints = await all_delivered(http)
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait()
            ordered.stop()
            parallel.stop()
    assert firsts(landed[0]) == log
    assert set(firsts(landed[1])) == set(log)
    for receiver in (ordered, parallel):
        assert receiver.unverified() == []
        assert all(d.webhook_id == d.event["id"] for d in receiver.deliveries)
    assert [e["disabledAt"] for e in endpoints] == [None, None]
