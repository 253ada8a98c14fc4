"""LISTEN heals itself: after the listening connection is killed or the server restarts,
NOTIFY from another process wakes waiters again, long before any poll would."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import asyncpg
import pytest
from bridgework.infra.database import create_pool
from bridgework.infra.migrate import migrate
from bridgework.infra.store import PostgresEventStore
from bridgework.infra.wakeups import DOWN_POLL_SECONDS
from bridgework.services.ports import StreamAppend, VersionConflict
from support.log import new_event, one_new_stream, until

LONG_POLL = 30.0
"""What a wait would last with no NOTIFY: every deadline below is far shorter."""
DEADLINE = 10.0


async def append_when_up(store, deadline=60.0):
    """Append one event, retrying while the server is still coming back."""
    end = time.monotonic() + deadline
    while True:
        try:
            return await store.append([one_new_stream()])
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            if time.monotonic() > end:
                raise
            await asyncio.sleep(0.1)


async def assert_notify_wakes(waiter: PostgresEventStore, writer: PostgresEventStore):
    received = waiter.stats.notifications_received
    waiting = asyncio.create_task(waiter.wait_for_new_events(LONG_POLL))
    await asyncio.sleep(0.05)
    await append_when_up(writer)
    await asyncio.wait_for(waiting, DEADLINE)  # woken: a poll would have taken 30 s
    assert waiter.stats.notifications_received > received


@contextlib.asynccontextmanager
async def two_processes(url: str):
    """Two stores on pools of their own, as two server processes would have."""
    pools = [await create_pool(url, 1, 4) for _ in range(2)]
    stores = [PostgresEventStore(p) for p in pools]
    try:
        for s in stores:
            await s.start()
        yield stores
    finally:
        for s in stores:
            await s.close()
        for p in pools:
            await p.close()


async def test_listen_comes_back_after_its_connection_is_terminated(database_url, caplog):
    caplog.set_level(logging.INFO, logger="bridgework.store")
    async with two_processes(database_url) as (waiter, writer):
        assert waiter.listening
        pid = waiter._wakeups.listener_pid
        admin = await asyncpg.connect(database_url)
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        await until(lambda: waiter.stats.listen_reconnects == 1)
        assert waiter.listening
        assert waiter.stats.listen_lost == 1
        assert waiter._wakeups.listener_pid != pid
        await assert_notify_wakes(waiter, writer)
    levels = {r.getMessage().split(";")[0].split(" after")[0]: r.levelno for r in caplog.records}
    assert levels["lost the LISTEN connection"] == logging.WARNING
    assert levels["LISTEN is back"] == logging.INFO


@pytest.mark.slow
async def test_listen_comes_back_after_the_server_restarts_and_waits_poll_briefly_meanwhile(
    private_postgres,
):
    url = await asyncio.to_thread(private_postgres.create_database)
    pool = await create_pool(url, 1, 2)
    await migrate(pool)
    await pool.close()
    async with two_processes(url) as (waiter, writer):
        await asyncio.to_thread(private_postgres.stop)
        await until(lambda: not waiter.listening)
        # Nobody can NOTIFY now: a long wait returns after the short poll instead.
        await asyncio.wait_for(waiter.wait_for_new_events(LONG_POLL), DOWN_POLL_SECONDS + 5)
        await asyncio.to_thread(private_postgres.start)
        await until(lambda: waiter.listening)
        assert (waiter.stats.listen_lost, waiter.stats.listen_reconnects) == (1, 1)
        await assert_notify_wakes(waiter, writer)


async def test_the_store_counts_appends_events_conflicts_and_notifications(database_url):
    async with two_processes(database_url) as (waiter, writer):
        first = one_new_stream(2)
        await writer.append([first])
        await writer.append([one_new_stream(3)])
        stale = StreamAppend(
            stream_id=first.stream_id, expected_version=1, events=[new_event(first.stream_id, 2)]
        )
        with pytest.raises(VersionConflict):
            await writer.append([stale])
        assert (writer.stats.appends, writer.stats.events_appended) == (2, 5)
        assert writer.stats.version_conflicts == 1
        await until(lambda: waiter.stats.notifications_received >= 1)
        assert (waiter.stats.appends, waiter.stats.listen_lost) == (0, 0)
