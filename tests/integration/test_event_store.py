"""The PostgreSQL event store's contract, on a real server."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import msgspec
import pytest
from bridgework.infra.database import create_pool
from bridgework.infra.store import PostgresEventStore
from bridgework.services.ports import (
    ORIGIN,
    Checkpoint,
    CommandRecord,
    DuplicateCommand,
    StoredEvent,
    StreamAppend,
    VersionConflict,
)
from support.log import META, new_event, stream, stream_append


async def count_events(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM events"))


async def read_all(store: PostgresEventStore, after: Checkpoint = ORIGIN) -> list[StoredEvent]:
    return await store.read_after(after, 10_000)


async def test_appended_events_load_back_in_version_order_with_their_metadata(store):
    s = stream()
    position = await store.append([stream_append(s, 0, count=3)])
    loaded = await store.load(s)
    assert [e.stream_version for e in loaded] == [1, 2, 3]
    assert position == loaded[-1].position
    assert loaded[0].metadata == META
    assert loaded[0].event_type == "StudentEnrolled"
    assert loaded[0].schema_version == 1
    assert msgspec.json.decode(loaded[0].payload)["timestamp"] == "2026-03-02"
    assert loaded[0].recorded_at.tzinfo is not None


async def test_a_stream_with_no_events_loads_empty(store):
    assert await store.load(stream()) == []


async def test_a_stale_expected_version_is_a_conflict_and_appends_nothing(store, pool):
    s = stream()
    await store.append([stream_append(s, 0, count=2)])
    with pytest.raises(VersionConflict) as caught:
        await store.append([stream_append(s, 1)])
    assert (caught.value.stream_id, caught.value.expected_version) == (s, 1)
    assert caught.value.actual_version == 2
    assert await count_events(pool) == 2


async def test_a_stale_append_burns_no_position(store):
    s = stream()
    first = await store.append([stream_append(s, 0, count=2)])
    for _ in range(3):
        with pytest.raises(VersionConflict):
            await store.append([stream_append(s, 1)])
    assert await store.append([stream_append(s, 2)]) == first + 1


async def test_a_load_after_a_version_reads_only_the_events_after_it(store):
    s = stream()
    await store.append([stream_append(s, 0, count=5)])
    assert [e.stream_version for e in await store.load(s, after_version=3)] == [4, 5]
    assert await store.load(s, after_version=5) == []
    snapshot, events = await store.load_latest(s)
    assert snapshot is None
    assert [e.stream_version for e in events] == [1, 2, 3, 4, 5]


async def test_an_expected_version_ahead_of_the_stream_is_a_conflict(store, pool):
    s = stream()
    await store.append([stream_append(s, 0)])
    with pytest.raises(VersionConflict) as caught:
        await store.append([stream_append(s, 5)])
    assert caught.value.actual_version == 1
    assert await count_events(pool) == 1


async def test_creating_a_stream_that_exists_is_a_conflict(store, pool):
    s = stream()
    await store.append([stream_append(s, 0)])
    with pytest.raises(VersionConflict):
        await store.append([stream_append(s, 0)])
    assert await count_events(pool) == 1


async def test_several_streams_append_all_or_nothing(store, pool):
    fresh, existing = stream(), stream()
    await store.append([stream_append(existing, 0)])
    with pytest.raises(VersionConflict) as caught:
        await store.append([stream_append(fresh, 0), stream_append(existing, 0)])
    assert caught.value.stream_id == existing
    assert await store.load(fresh) == []
    await store.append([stream_append(fresh, 0), stream_append(existing, 1)])
    assert await count_events(pool) == 3


async def test_events_must_continue_their_stream_in_order(store, pool):
    s = stream()
    bad = StreamAppend(stream_id=s, expected_version=0, events=[new_event(s, 2)])
    with pytest.raises(ValueError, match="must continue it in order"):
        await store.append([bad])
    assert await count_events(pool) == 0


async def test_a_command_id_seen_before_returns_the_first_record_and_appends_nothing(store, pool):
    first = CommandRecord(command_id="key-1", request_hash="h", result=b'{"id":"x"}')
    position = await store.append([stream_append(stream(), 0)], command=first)
    with pytest.raises(DuplicateCommand) as caught:
        await store.append([stream_append(stream(), 0)], command=first)
    assert caught.value.stored.position == position
    assert caught.value.stored.result == b'{"id":"x"}'
    assert await count_events(pool) == 1
    assert await store.find_command("key-1") == caught.value.stored
    assert await store.find_command("never") is None


async def test_the_log_refuses_to_change_history(store, pool):
    await store.append([stream_append(stream(), 0)])
    for statement in (
        "UPDATE events SET event_type = 'X'",
        "DELETE FROM events",
        "TRUNCATE events",
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await pool.execute(statement)
    assert await count_events(pool) == 1


async def test_reading_after_a_checkpoint_pages_through_the_log_in_order(store):
    streams = [stream() for _ in range(5)]
    for s in streams:
        await store.append([stream_append(s, 0, count=2)])
    everything = await read_all(store)
    assert len(everything) == 10
    page = await store.read_after(everything[3].checkpoint, 4)
    assert page == everything[4:8]
    assert await store.checkpoint_of(everything[3].position) == everything[3].checkpoint
    assert await store.checkpoint_of(10_000) is None


async def test_reading_filters_by_type_and_stream(store):
    a, b = stream(), stream()
    await store.append([stream_append(a, 0, count=2), stream_append(b, 0)])
    await store.append([stream_append(a, 2, event_type="MentorAssigned")])
    only_a = await store.read_after(ORIGIN, 100, stream_id=a)
    assert [e.stream_version for e in only_a] == [1, 2, 3]
    assigned = await store.read_after(ORIGIN, 100, types=["MentorAssigned"])
    assert [(e.stream_id, e.event_type) for e in assigned] == [(a, "MentorAssigned")]


async def test_an_open_transaction_holds_readers_back_until_it_commits(store, pool):
    """The gap-safety property: a late committer with a lower position is never skipped."""
    async with pool.acquire() as slow:
        tx = slow.transaction()
        await tx.start()
        await slow.execute(
            "INSERT INTO events (event_id, stream_id, stream_version, event_type, payload,"
            " metadata) VALUES ($1, $2, 1, 'StudentEnrolled', $3, $4)",
            uuid.uuid4(),
            stream(),
            b"{}",
            msgspec.json.encode(META),
        )
        await store.append([stream_append(stream(), 0)])  # higher position, commits first
        assert await read_all(store) == []
        await tx.commit()
    seen = await read_all(store)
    assert len(seen) == 2
    assert seen[0].position < seen[1].position


async def test_a_waiting_reader_in_another_process_wakes_on_notify(store, database_url):
    other_pool = await create_pool(database_url, 1, 2)
    other = PostgresEventStore(other_pool)
    await other.start()
    try:
        started = time.monotonic()
        waiting = asyncio.create_task(other.wait_for_new_events(30))
        await asyncio.sleep(0.05)
        await store.append([stream_append(stream(), 0)])
        await asyncio.wait_for(waiting, 10)
        assert time.monotonic() - started < 10  # woken, not timed out at 30 s
    finally:
        await other.close()
        await other_pool.close()


async def test_waiting_after_a_checkpoint_returns_at_once_when_events_are_already_there(store):
    await store.append([stream_append(stream(), 0)])
    started = time.monotonic()
    await store.wait_for_new_events(30, after=ORIGIN)
    assert time.monotonic() - started < 10


@pytest.mark.slow
async def test_racing_writers_on_one_stream_land_exactly_once_each_or_conflict(store, pool):
    s = stream()
    await store.append([stream_append(s, 0)])

    async def attempt() -> bool:
        try:
            await store.append([stream_append(s, 1)])
        except VersionConflict:
            return False
        return True

    results = await asyncio.gather(*(attempt() for _ in range(16)))
    assert results.count(True) == 1
    assert [e.stream_version for e in await store.load(s)] == [1, 2]


@pytest.mark.slow
async def test_a_tailing_reader_sees_every_event_of_eight_writers_exactly_once(store, pool):
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
                await conn.execute(
                    "INSERT INTO events (event_id, stream_id, stream_version, event_type,"
                    " payload, metadata) VALUES ($1, $2, 1, 'StudentEnrolled', $3, $4)",
                    uuid.uuid4(),
                    stream(),
                    b"{}",
                    msgspec.json.encode(META),
                )
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
