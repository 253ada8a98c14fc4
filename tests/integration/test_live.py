"""The live tail: one reader of the log per process, fanned out to every subscriber."""

from __future__ import annotations

import asyncio
import random

import pytest
from bridgework.graphql.live import LiveTail
from bridgework.infra.store import PostgresEventStore
from bridgework.services.ports import ORIGIN
from support.log import one_new_stream, until


class CountingStore(PostgresEventStore):
    """The real store, counting its reads of the log."""

    reads = 0

    async def read_after(self, *args, **kwargs):
        self.reads += 1
        return await super().read_after(*args, **kwargs)


@pytest.fixture
async def counting(pool):
    store = CountingStore(pool)
    await store.start()
    yield store
    await store.close()


async def in_log_order(pool) -> list:
    return [r[0] for r in await pool.fetch("SELECT event_id FROM events ORDER BY tx_id, position")]


async def collect(tail: LiveTail, into: list, *, pause: float = 0.0) -> None:
    async for batch in tail.follow(ORIGIN):
        into.extend(e.event_id for e in batch)
        if pause:
            await asyncio.sleep(pause)


async def write(store, appends: int) -> int:
    written = 0
    for i in range(appends):
        count = 1 + i % 3
        await store.append([one_new_stream(count)])
        written += count
        await asyncio.sleep(random.uniform(0, 0.003))
    return written


@pytest.mark.slow
async def test_fifty_subscribers_each_receive_every_event_once_in_order_from_one_shared_reader(
    counting, pool
):
    tail = LiveTail(counting)
    history = await write(counting, 10)  # something to catch up on first
    received = [[] for _ in range(50)]
    followers = [asyncio.create_task(collect(tail, r)) for r in received]
    try:
        total = history + sum(await asyncio.gather(*(write(counting, 40) for _ in range(4))))
        await until(lambda: all(len(r) >= total for r in received), 60)
        expected = await in_log_order(pool)
        assert len(expected) == total
        for r in received:
            assert r == expected
    finally:
        for f in followers:
            f.cancel()
        await asyncio.gather(*followers, return_exceptions=True)
        await tail.close()
    assert tail.stats.joined >= 50
    assert tail.stats.let_go == 0
    # Each subscriber read the log itself only to catch up; the rest was one shared read
    # per batch (a subscriber reading alone would read once per commit: 160 times each).
    own_reads = counting.reads - tail.stats.reads
    assert own_reads <= 3 * len(received)
    assert tail.stats.reads < 5 * 160


@pytest.mark.slow
async def test_a_slow_subscriber_is_let_go_catches_up_alone_and_still_receives_everything(
    store, pool
):
    tail = LiveTail(store, queue_events=8, window_events=4)
    quick, slow = [], []
    followers = [
        asyncio.create_task(collect(tail, quick)),
        asyncio.create_task(collect(tail, slow, pause=0.05)),
    ]
    try:
        await until(lambda: tail.stats.live == 2)
        total = await write(store, 60)
        await until(lambda: len(quick) >= total and len(slow) >= total, 60)
        expected = await in_log_order(pool)
        assert quick == expected
        assert slow == expected
        assert tail.stats.let_go >= 1
    finally:
        for f in followers:
            f.cancel()
        await asyncio.gather(*followers, return_exceptions=True)
        await tail.close()


async def test_a_subscriber_that_leaves_leaves_the_tail(store):
    tail = LiveTail(store)
    seen = []
    follower = asyncio.create_task(collect(tail, seen))
    await until(lambda: tail.stats.live == 1)
    follower.cancel()
    await asyncio.gather(follower, return_exceptions=True)
    assert tail.stats.live == 0
    await tail.close()
