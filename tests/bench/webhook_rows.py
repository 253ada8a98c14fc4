"""Webhook rows (issue 15, part 6), the delivery worker against a receiver in a process of its
own on this machine (`webhook_receiver.py`), over real sockets:

18. a. deliveries/s: a backlog of events fanned out to one parallel endpoint and sent, from
       the worker's start to the last message marked delivered (so fan-out, claims, rendering,
       signing, the POST and the outcome's row are all in it). Limit: httpx posting the same
       number of bodies to the same receiver with the same concurrency, nothing else.
    b. commit → received at 100 events/s: one writer appends an event every 10 ms; the
       latency is the receiver's arrival time minus the moment the append returned, for an
       ordered endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import harness
import httpx
from bridgework.infra.crypto.kek import Keks, new_kek
from bridgework.infra.store import PostgresEventStore
from bridgework.infra.webhooks.registry import PostgresWebhooks
from bridgework.infra.webhooks.settings import WebhookSettings
from bridgework.infra.webhooks.worker import Worker
from bridgework.services.endpoints import DeliveryMode

RECEIVER = Path(__file__).with_name("webhook_receiver.py")
SETTINGS = WebhookSettings(allow_networks=(ipaddress.ip_network("127.0.0.1/32"),), poll_seconds=1)


@contextlib.contextmanager
def receiver() -> Iterator[tuple[str, dict[str, float]]]:
    """The receiver's URL, and (once it stops) when each webhook-id arrived."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, str(RECEIVER), str(port)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    arrived: dict[str, float] = {}
    try:
        yield f"http://127.0.0.1:{port}/hook", arrived
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=60)
        for line in out.splitlines():
            webhook_id, _, at = line.partition(" ")
            arrived.setdefault(webhook_id, float(at))


async def endpoint(store: PostgresEventStore, url: str, mode: DeliveryMode) -> PostgresWebhooks:
    """An endpoint from the log's head on; the registry that keeps it."""
    registry = PostgresWebhooks(store._pool, Keks(new_kek()), SETTINGS)  # noqa: SLF001
    await registry.register(
        url=url, event_types=None, mode=mode, organisations=None, personal_data=False,
        created_by="bench",
    )
    return registry


@contextlib.asynccontextmanager
async def worker(store: PostgresEventStore, registry: PostgresWebhooks) -> AsyncIterator[Worker]:
    running = Worker(store._pool, store, registry, source="/bench")  # noqa: SLF001
    await running.start()
    try:
        yield running
    finally:
        await running.close()


async def delivered(pool, total: int) -> None:
    while await pool.fetchval("SELECT count(*) FROM webhook_messages WHERE status = 'delivered'") < total:
        await asyncio.sleep(0.02)


async def limit_rate(url: str, total: int, concurrency: int) -> float:
    body = harness.enrolled_payload()
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency)) as client:
        gate = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with gate:
                await client.post(url, content=body, headers={"webhook-id": str(uuid.uuid4())})

        with harness.Timer() as t:
            await asyncio.gather(*(one() for _ in range(total)))
    return total / t.seconds


async def deliveries_row(admin_url: str, total: int) -> harness.Row:
    async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:
        store = deps.store
        with receiver() as (url, _):
            registry = await endpoint(store, url, DeliveryMode.PARALLEL)
            for _ in range(total // 100):  # the backlog, after the endpoint's start
                await store.append([harness.new_stream(100)])
            registry_start = time.perf_counter()
            async with worker(store, registry):
                await delivered(store._pool, total)  # noqa: SLF001
                ours = total / (time.perf_counter() - registry_start)
            limit = await limit_rate(url, total, SETTINGS.concurrency)
    return harness.Row(
        name=f"18a. webhook deliveries to a local receiver ({total:,} events, parallel)",
        unit="deliveries/s", ours=ours, limit=limit, target="≥ 500/s", met=ours >= 500,
        notes=f"limit: httpx alone, {SETTINGS.concurrency} in flight, same receiver",
    )


async def latency_row(admin_url: str, seconds: float) -> harness.Row:
    async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:
        store = deps.store
        committed: dict[str, float] = {}
        with receiver() as (url, arrived):
            registry = await endpoint(store, url, DeliveryMode.ORDERED)
            async with worker(store, registry):
                started = time.perf_counter()
                n = 0
                while time.perf_counter() - started < seconds:
                    append = harness.new_stream(1)
                    await store.append([append])
                    committed[str(append.events[0].event_id)] = time.time()
                    n += 1
                    await asyncio.sleep(max(0.0, started + n * 0.01 - time.perf_counter()))
                offered = n / (time.perf_counter() - started)
                await delivered(store._pool, n)  # noqa: SLF001
        lags = [arrived[i] - at for i, at in committed.items() if i in arrived]
    summary = harness.latency_summary(lags)
    return harness.Row(
        name="18b. commit → webhook received at 100 events/s (ordered)", unit="p99 ms",
        ours=summary["p99_ms"], target="p99 < 500 ms", met=summary["p99_ms"] < 500,
        higher_is_better=False,
        notes=f"p50 {summary['p50_ms']:.1f} ms; {len(lags):,} events, offered {offered:.0f}/s",
    )


async def run(admin_url: str, *, quick: bool) -> list[harness.Row]:
    return [
        await deliveries_row(admin_url, 2_000 if quick else 10_000),
        await latency_row(admin_url, 10 if quick else 30),
    ]
