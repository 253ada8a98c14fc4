"""Store rows: appending, bulk, contention, growth (row 3 runs in the command suite, beside
its unit-of-work twin 3b).

1. Append, one event per transaction, distinct streams, 1 / 8 / 32 concurrent writers.
   Ours: `PostgresEventStore.append` of a new one-event stream (guard, unique index, NOTIFY).
   Limit: the same row with a plain asyncpg `INSERT` at the same concurrency.
   Peer: the eventsourcing library's Application on its PostgreSQL recorder (psycopg,
   `LOCK TABLE … IN EXCLUSIVE MODE` per append) saving a new one-event aggregate, in as many
   threads.
2. Append, 100 events per transaction (one new stream of 100 per append, 4 writers).
   Limit: `COPY` of the same rows, 100 per call.
3. Same-stream contention: 32 writers race on one stream with expected versions; every write
   lands or gets a conflict and retries. Reports landed appends/s and checks that the stream's
   versions are exactly 1..N with N = the appends that landed.
9. Growth: append p99 (8 writers) and catch-up read rate with 10k stored events and again with
   1M (quick: 100k); the ratios should stay near 1.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import harness
from bridgework.infra.database import create_pool
from bridgework.services.ports import ORIGIN, Checkpoint, VersionConflict
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

INSERT = (
    "INSERT INTO events (event_id, stream_id, stream_version, event_type, schema_version,"
    " payload, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7)"
)
COLUMNS = ["event_id", "stream_id", "stream_version", "event_type", "schema_version", "payload",
           "metadata"]


def row_of(e: Any) -> tuple[Any, ...]:
    return (e.event_id, e.stream_id, e.stream_version, e.event_type, e.schema_version, e.payload,
            harness.METADATA_JSON)


async def for_a_while(writers: int, seconds: float, step: Any) -> tuple[int, list[float]]:
    """Run `step()` in `writers` tasks for `seconds`; return (operations, latencies)."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def writer() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await step()
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(writer() for _ in range(writers)))
    return len(latencies), latencies


# -- the peer -------------------------------------------------------------------------------


class Enrolment(Aggregate):
    def __init__(self, student_id: str, timestamp: str) -> None:
        self.student_id = student_id
        self.timestamp = timestamp


def peer_env(dsn: str, pool_size: int) -> dict[str, str]:
    url = urlsplit(dsn)
    host = parse_qs(url.query).get("host", [url.hostname or "localhost"])[0]
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/"),
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": url.username or "postgres",
        "POSTGRES_PASSWORD": url.password or "",
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_MAX_OVERFLOW": "0",
    }


def peer_appends_per_second(dsn: str, threads: int, seconds: float) -> float:
    app = Application(env=peer_env(dsn, threads))
    counts = [0] * threads
    deadline = time.perf_counter() + seconds

    def saver(i: int) -> None:
        while time.perf_counter() < deadline:
            app.save(Enrolment(student_id=str(uuid.uuid4()), timestamp="2026-11-23T09:00:00Z"))
            counts[i] += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=saver, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    app.close()
    return sum(counts) / elapsed


# -- rows -----------------------------------------------------------------------------------


async def single_event_rows(admin_url: str, seconds: float) -> list[harness.Row]:
    rows = []
    for writers in (1, 8, 32):
        async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:
            pool = deps.store._pool  # noqa: SLF001 - the same pool for the limit
            await for_a_while(writers, 0.3, lambda: deps.store.append([harness.new_stream()]))
            n, lat = await for_a_while(
                writers, seconds, lambda: deps.store.append([harness.new_stream()])
            )
            ours = n / seconds

            async def insert() -> None:
                e = harness.enrolled_event(f"program-{uuid.uuid4()}", 1)
                await pool.execute(INSERT, *row_of(e))

            m, limit_lat = await for_a_while(writers, seconds, insert)
        async with harness.scratch_database(admin_url, migrated=False) as peer_dsn:
            peer = await asyncio.to_thread(peer_appends_per_second, peer_dsn, writers, seconds)
        summary = harness.latency_summary(lat)
        limit = m / seconds
        met = None
        if writers >= 8:
            met = ours >= 0.6 * limit and ours >= 5 * peer
        rows.append(harness.Row(
            name=f"1. append 1 event/tx, {writers} writer{'s' if writers > 1 else ''}",
            unit="events/s", ours=ours, limit=limit, peer=peer,
            target="≥60% of limit, ≥5× peer" if writers >= 8 else "",
            met=met,
            notes=f"p50 {summary['p50_ms']:.1f} ms, p99 {summary['p99_ms']:.1f} ms",
            extra=summary | {"limit": harness.latency_summary(limit_lat)},
        ))
    return rows


async def bulk_row(admin_url: str, seconds: float) -> harness.Row:
    writers = 4
    async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:
        pool = deps.store._pool  # noqa: SLF001
        n, _ = await for_a_while(writers, seconds, lambda: deps.store.append([harness.new_stream(100)]))

        async def copy() -> None:
            append = harness.new_stream(100)
            async with pool.acquire() as conn:
                await conn.copy_records_to_table(
                    "events", records=[row_of(e) for e in append.events], columns=COLUMNS
                )

        m, _ = await for_a_while(writers, seconds, copy)
    ours, limit = n * 100 / seconds, m * 100 / seconds
    return harness.Row(
        name="2. append 100 events/tx, 4 writers", unit="events/s", ours=ours, limit=limit,
        target="≥ 50,000 events/s, ≥ 0.9× COPY", met=ours >= 50_000 and ours >= 0.9 * limit,
    )


async def contention_row(admin_url: str, seconds: float) -> harness.Row:
    writers = 32
    stream_id = f"program-{uuid.uuid4()}"
    conflicts = 0
    async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:
        store, pool = deps.store, deps.store._pool  # noqa: SLF001
        await store.append([harness.new_stream(1, 0, stream_id)])

        async def land_one() -> None:
            nonlocal conflicts
            while True:
                version = await pool.fetchval(
                    "SELECT max(stream_version) FROM events WHERE stream_id = $1", stream_id
                )
                try:
                    await store.append([harness.new_stream(1, version, stream_id)])
                except VersionConflict:
                    conflicts += 1
                else:
                    return

        landed, _ = await for_a_while(writers, seconds, land_one)
        versions = [r[0] for r in await pool.fetch(
            "SELECT stream_version FROM events WHERE stream_id = $1 ORDER BY 1", stream_id
        )]
    if versions != list(range(1, landed + 2)):
        raise AssertionError(f"contention lost or doubled events: {len(versions)} vs {landed + 1}")
    return harness.Row(
        name="3. one stream, 32 racing writers", unit="appends/s", ours=landed / seconds,
        notes=f"{landed} landed, {conflicts} conflicts retried; versions 1..{landed + 1} intact",
        extra={"landed": landed, "conflicts": conflicts},
    )


FILL = """
INSERT INTO events (event_id, stream_id, stream_version, event_type, payload, metadata)
SELECT gen_random_uuid(), 'program-' || md5(((g - 1) / 50)::text)::uuid, (g - 1) % 50 + 1,
       'StudentEnrolled',
       json_build_object('student_id', gen_random_uuid(), 'timestamp', now()),
       $3::json
FROM generate_series($1::bigint, $2::bigint) AS g
"""


async def fill(pool: asyncpg.Pool, total: int) -> None:
    chunk = 100_000
    for start in range(1, total + 1, chunk):
        await pool.execute(FILL, start, min(start + chunk - 1, total), harness.METADATA_JSON)
    await pool.execute("VACUUM ANALYZE events")


async def growth_measure(deps: Any, seconds: float, read: int) -> tuple[float, float]:
    store = deps.store
    _, lat = await for_a_while(8, seconds, lambda: store.append([harness.new_stream()]))
    head = await store._pool.fetchrow(  # noqa: SLF001
        "SELECT tx_id, position FROM events ORDER BY tx_id, position OFFSET"
        " greatest((SELECT count(*) FROM events) - $1 - 1, 0) LIMIT 1",
        read,
    )
    checkpoint = ORIGIN if head is None else Checkpoint(head[0], head[1])
    got, started = 0, time.perf_counter()
    while got < read and (batch := await store.read_after(checkpoint, 1000)):
        got += len(batch)
        checkpoint = batch[-1].checkpoint
    return harness.percentile(lat, 99) * 1000, got / (time.perf_counter() - started)


async def growth_rows(admin_url: str, quick: bool, seconds: float) -> list[harness.Row]:
    results = {}
    for size in (10_000, 100_000 if quick else 1_000_000):
        async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:
            await fill(deps.store._pool, size)  # noqa: SLF001
            results[size] = await growth_measure(deps, seconds, 10_000)
    (small, (p99_s, read_s)), (large, (p99_l, read_l)) = results.items()
    return [
        harness.Row(
            name=f"9. growth: append p99 at {large:,} vs {small:,} events", unit="ms",
            ours=p99_l, limit=p99_s, higher_is_better=False, target="within 1.5×",
            met=p99_l <= 1.5 * p99_s,
            notes="limit column = the same at the small size",
        ),
        harness.Row(
            name=f"9. growth: catch-up read at {large:,} vs {small:,} events", unit="events/s",
            ours=read_l, limit=read_s, target="within 1.5×", met=read_l * 1.5 >= read_s,
            notes="limit column = the same at the small size",
        ),
    ]


async def run(admin_url: str, *, quick: bool) -> list[harness.Row]:
    seconds = 2.0 if quick else 6.0
    rows = await single_event_rows(admin_url, seconds)
    rows.append(await bulk_row(admin_url, seconds))
    rows += await growth_rows(admin_url, quick, seconds)
    return rows
