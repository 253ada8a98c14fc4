"""Row 16: the NATS JetStream relay's throughput to an embedded `nats-server -js` (issue 15:
at least 10,000 events/s).

Ours: `Relay.run()` from position 0 over a log of `StudentEnrolled` events (the harness's
realistic payload), batches of 1,000 (the default): read the log gap-safe, build each
CloudEvents envelope, publish asynchronously with `Nats-Msg-Id`, wait for every PubAck, move
the checkpoint in PostgreSQL; events ÷ seconds until the last checkpoint moved. Limit: plain
nats-py `publish_async` of the very same bodies and headers (encoded beforehand, not timed)
in batches of 1,000, each waited for, into a stream of its own: what NATS and the client take
with no log, no envelopes and no checkpoint. Each is the median of three turns, in
alternation (which goes first alternates too), each into a fresh stream.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import time
from pathlib import Path

import harness
import msgspec
import nats
from bridgework.infra.relay.relay import Relay
from bridgework.infra.relay.settings import RelaySettings
from bridgework.infra.relay.publishing import headers
from bridgework.services.contract import cloudevent
from bridgework.services.ports import ORIGIN

sys.path.insert(0, str(Path(__file__).parents[1]))
from support.jetstream import NatsServer  # noqa: E402

BATCH = 1_000
SOURCE = "/bridgework/bench"


async def fill(store, total: int) -> None:
    for start in range(0, total, 5_000):
        await store.append([harness.new_stream(min(5_000, total - start))])


async def encoded(store) -> list[tuple[str, bytes, dict]]:
    """Every event as the relay publishes it: subject, body, headers."""
    messages, checkpoint = [], ORIGIN
    while batch := await store.read_after(checkpoint, 10_000):
        for e in batch:
            envelope = cloudevent(e, source=SOURCE)
            messages.append((envelope["type"], msgspec.json.encode(envelope), headers(envelope)))
        checkpoint = batch[-1].checkpoint
    return messages


async def relay_rate(pool, store, url: str, stream: str, total: int) -> float:
    settings = RelaySettings(nats_url=url, stream=stream, name=stream, batch_size=BATCH)
    relay = Relay(pool, store, settings, source=SOURCE, poll_seconds=1.0)
    started = time.perf_counter()
    task = asyncio.create_task(relay.run())
    while relay.stats.published < total:
        if task.done():
            task.result()
        await asyncio.sleep(0.002)
    seconds = time.perf_counter() - started
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return total / seconds


async def plain_rate(url: str, stream: str, messages: list[tuple[str, bytes, dict]]) -> float:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream(publish_async_max_pending=BATCH)
        await js.add_stream(name=stream, subjects=["bridgework.>"], duplicate_window=300)
        started = time.perf_counter()
        for start in range(0, len(messages), BATCH):
            futures = [
                await js.publish_async(subject, body, headers=dict(h), stream=stream)
                for subject, body, h in messages[start : start + BATCH]
            ]
            await asyncio.gather(*futures)
        seconds = time.perf_counter() - started
        await js.delete_stream(stream)
        return len(messages) / seconds
    finally:
        await nc.close()


async def drop(url: str, stream: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_stream(stream)
    finally:
        await nc.close()


async def run(admin_url: str, *, quick: bool) -> list[harness.Row]:
    total = 20_000 if quick else 100_000
    server = NatsServer()
    await asyncio.to_thread(server.start)
    try:
        async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:
            store = deps.store
            await fill(store, total)
            ours, limit = [], []
            for turn in range(3):
                # Which goes first alternates: the server is still deleting the last stream.
                for side in ("plain", "relay") if turn % 2 == 0 else ("relay", "plain"):
                    if side == "plain":
                        # Built (untimed) and dropped each turn: the relay's turn then runs
                        # with no messages in memory for the collector to scan.
                        messages = await encoded(store)
                        limit.append(await plain_rate(server.url, f"PLAIN{turn}", messages))
                        del messages
                        gc.collect()
                    else:
                        stream = f"RELAY{turn}"
                        ours.append(await relay_rate(store._pool, store, server.url, stream, total))
                        await drop(server.url, stream)
    finally:
        await asyncio.to_thread(server.close)
    mine, plain = statistics.median(ours), statistics.median(limit)
    return [
        harness.Row(
            name="16. relay to NATS JetStream (embedded), acked + checkpointed",
            unit="events/s",
            ours=mine,
            limit=plain,
            target="≥ 10,000/s",
            met=mine >= 10_000,
            notes=f"{total:,} events, batches of {BATCH:,}; limit = plain nats-py publish_async"
            " of the same bodies and headers; median of 3 turns",
        )
    ]
