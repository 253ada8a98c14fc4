"""The PostgreSQL event store on a real server: the store contract, and what only
PostgreSQL has to prove (gap safety across open transactions, the append-only log,
NOTIFY across processes)."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import asyncpg
import msgspec
import pytest
from bridgework.infra.database import create_pool
from bridgework.infra.store import PostgresEventStore
from bridgework.services.ports import ORIGIN, StoredEvent
from contract.group_contract import GroupAppendContract
from contract.personal_contract import PersonalDataContract
from contract.store_contract import StoreContract
from support.log import META, read_all, stream, stream_append

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


async def count_events(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM events"))


async def insert_raw(conn: asyncpg.Connection) -> None:
    """An event written past the store, in the caller's (perhaps still open) transaction."""
    await conn.execute(
        "INSERT INTO events (event_id, stream_id, stream_version, event_type, payload,"
        " metadata) VALUES ($1, $2, 1, 'StudentEnrolled', $3, $4)",
        uuid.uuid4(),
        stream(),
        b"{}",
        msgspec.json.encode(META),
    )


class TestPostgresStore(StoreContract, GroupAppendContract, PersonalDataContract):
    @pytest.fixture
    async def store(self, pool: asyncpg.Pool) -> AsyncIterator[PostgresEventStore]:
        store = PostgresEventStore(pool)
        await store.start()
        yield store
        await store.close()

    @pytest.fixture
    async def reopened(self, database_url: str) -> AsyncIterator[PostgresEventStore]:
        """Another process's view of the same database: its own pool and store."""
        other_pool = await create_pool(database_url, 1, 4)
        other = PostgresEventStore(other_pool)
        await other.start()
        yield other
        await other.close()
        await other_pool.close()

    @pytest.fixture
    def raw_payloads(self, pool: asyncpg.Pool):
        async def payloads() -> list[bytes]:
            return [r[0].encode() for r in await pool.fetch("SELECT payload::text FROM events")]

        return payloads

    async def test_the_log_refuses_to_change_history(self, store, pool):
        await store.append([stream_append(stream(), 0)])
        for statement in (
            "UPDATE events SET event_type = 'X'",
            "DELETE FROM events",
            "TRUNCATE events",
        ):
            # The app's role is refused outright; the triggers refuse the owner too
            # (tests/integration/test_roles.py).
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await pool.execute(statement)
        assert await count_events(pool) == 1

    async def test_an_open_transaction_holds_readers_back_until_it_commits(self, store, pool):
        """The gap-safety property: a late committer with a lower position is never skipped."""
        async with pool.acquire() as slow:
            tx = slow.transaction()
            await tx.start()
            await insert_raw(slow)
            await store.append([stream_append(stream(), 0)])  # higher position, commits first
            assert await read_all(store) == []
            await tx.commit()
        seen = await read_all(store)
        assert len(seen) == 2
        assert seen[0].position < seen[1].position

    async def test_a_waiting_reader_in_another_process_wakes_on_notify(self, store, reopened):
        started = time.monotonic()
        waiting = asyncio.create_task(reopened.wait_for_new_events(30))
        await asyncio.sleep(0.05)
        await store.append([stream_append(stream(), 0)])
        await asyncio.wait_for(waiting, 10)
        assert time.monotonic() - started < 10  # woken, not timed out at 30 s

    @pytest.mark.slow
    async def test_a_tailing_reader_sees_every_event_of_eight_writers_exactly_once(
        self, store, pool
    ):
        writers, appends_each = 8, 40
        done = asyncio.Event()

        async def writer(n: int) -> None:
            for i in range(appends_each):
                count = 1 + (i + n) % 3
                await store.append([stream_append(stream(), 0, count=count)])
                await asyncio.sleep(random.uniform(0, 0.002))

        async def slow_writer() -> None:
            # Holds a transaction open while others commit, so positions commit out of order.
            for _ in range(5):
                async with pool.acquire() as conn, conn.transaction():
                    await insert_raw(conn)
                    await asyncio.sleep(0.03)

        seen: list[StoredEvent] = []

        async def reader() -> None:
            checkpoint = ORIGIN
            while True:
                batch = await store.read_after(checkpoint, 50)
                seen.extend(batch)
                if batch:
                    checkpoint = batch[-1].checkpoint
                elif done.is_set() and not await store.read_after(checkpoint, 1):
                    return
                else:
                    await store.wait_for_new_events(0.5, after=checkpoint)

        tail = asyncio.create_task(reader())
        await asyncio.gather(*(writer(n) for n in range(writers)), slow_writer())
        done.set()
        await asyncio.wait_for(tail, 60)

        in_table = await pool.fetch("SELECT event_id FROM events ORDER BY tx_id, position")
        assert [e.event_id for e in seen] == [r["event_id"] for r in in_table]
        assert len({e.event_id for e in seen}) == len(seen) == await count_events(pool)
        assert len(seen) == 5 + sum(
            1 + (i + n) % 3 for n in range(writers) for i in range(appends_each)
        )
        checkpoints = [e.checkpoint for e in seen]
        assert checkpoints == sorted(checkpoints)
        assert all(e.recorded_at <= datetime.now(UTC) for e in seen)
