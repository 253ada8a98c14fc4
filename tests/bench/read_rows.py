"""Rows 4–6: reading history back — aggregate loads, a catch-up read of the log, rebuilds.

Both stores hold the same history, made by the real domain: programs launched, students
enrolled (half of them onto the waitlist), withdrawn (promoting the first in line), given
mentors, completing (promoting again), and a showcase — about 430 events per program.
Each domain event goes to our store through `Transcoder.encode` + `store.append`, and to the
peer's own tables through the library's `Mapper.to_stored_event` + `insert_events`. Filling
is not timed.

The peer is the eventsourcing library's `Application` with its PostgreSQL persistence
(psycopg 3, a scratch database of its own) and its default JSON transcoder (plus a `date`
transcoding, which `ProgramLaunched` needs). Its aggregate is our `Program` class itself
(an eventsourcing `Aggregate`), so both sides rebuild the very same objects.

4. Load an aggregate of 10 / 100 / 1,000 events, µs per load (median). Ours:
   `store.load` + `codec.decode` each + `replay`, as `Session.get` does. Peer:
   `app.repository.get(id)` (select + `Mapper.to_domain_event` + `project_aggregate`).
   Limit: asyncpg selecting the same rows, no decoding.
5. Catch-up read of the whole log with decoding, events/s. Ours: `store.read_after` in
   batches of 1,000 + `codec.decode` each. Peer: `recorder.select_notifications` in batches
   of 1,000 + `mapper.to_domain_event` each. Limit: the store's own `read_after` SELECT
   through asyncpg, without building `StoredEvent`s or decoding.
6. Projection rebuild of `enrolment` and `outcome` from position 0 with the production
   batch size (500): events read by both rebuilds ÷ their total seconds, i.e. the rate of
   one projection pass (each pass reads the whole log). No peer.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import harness
from bridgework.domain.base import replay
from bridgework.domain.program import Program
from bridgework.domain.program import ProgramKind
from bridgework.infra.database import create_pool
from bridgework.infra.statements import READ_AFTER as _READ_AFTER  # the store's own statement
from bridgework.projections.registry import default_projections
from bridgework.projections.runner import ProjectionRunner
from bridgework.services.ports import ORIGIN, Checkpoint, StreamAppend
from eventsourcing.application import Application
from eventsourcing.persistence import Transcoding

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STUDENTS = 400  # per program of the big log: ~430 events each
BATCH = 1_000
FLUSH = 10_000  # events per fill call of our store
PEER_FLUSH = 500
"""The library's `insert_events` sends one pipelined message; one of more than about 200 kB
hangs for ever on a unix socket (psycopg/psycopg#685: the server waits in ClientRead)."""


# -- the peer -------------------------------------------------------------------------------


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class PeerApp(Application):
    def register_transcodings(self, transcoder: Any) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


def peer_app(dsn: str) -> PeerApp:
    """The library's application on `dsn` (a TCP or a unix-socket DSN)."""
    url = urlsplit(dsn)
    host = parse_qs(url.query).get("host", [url.hostname or "localhost"])[0]
    return PeerApp(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/"),
            "POSTGRES_HOST": host,
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": url.username or "postgres",
            "POSTGRES_PASSWORD": url.password or "",
        }
    )


# -- a realistic history --------------------------------------------------------------------


def program(students: int, *, full_life: bool) -> Program:
    """A program with `students` enrolment attempts (half waitlisted), and with
    `full_life` also withdrawals, mentors, completions and a showcase."""
    p = Program.launch(
        id=uuid.uuid4(), partnership_id=uuid.uuid4(), organisation_ids=(), name="Robotics Club", kind=ProgramKind.CLUB,
        capacity=max(1, students // 2), starts_on=AT.date(), ends_on=AT.date() + timedelta(days=90), at=AT,
    )
    ids = [uuid.uuid4() for _ in range(students)]
    for s in ids:
        p.enrol(student_id=s, student_name="Ana", at=AT)
    if full_life:
        for s in ids[:5]:
            p.withdraw(student_id=s, student_name="Ana", reason="moved", at=AT)
        for s in ids[5:15]:
            p.assign_mentor(student_id=s, student_name="Ana", mentor_id=uuid.uuid4(), mentor_name="Bo", at=AT)
        for s in ids[5:10]:
            p.complete(student_id=s, student_name="Ana", at=AT)
        p.record_showcase(
            showcase_id=uuid.uuid4(), title="Demo day", held_on=AT.date() + timedelta(days=60),
            presenter_ids=tuple(ids[10:15]), attending_organisation_ids=(), partner_ids=frozenset(), at=AT,
        )
    return p


class Both:
    """Writes the same domain events to our store and to the peer's tables, in big batches."""

    def __init__(self, deps: Any, app: PeerApp) -> None:
        self.deps, self.app = deps, app
        self.ours: list[StreamAppend] = []
        self.theirs: list[Any] = []

    def add(self, aggregate: Program) -> None:
        events = aggregate.collect_events()
        codec = self.deps.codec
        encoded = [codec.encode(e, event_id=uuid.uuid4(), metadata=harness.METADATA) for e in events]
        stream_id = Program.stream_id(aggregate.id)
        self.ours.append(StreamAppend(stream_id=stream_id, expected_version=0, events=encoded))
        self.theirs += [self.app.mapper.to_stored_event(e) for e in events]

    async def flush(self, at_least: int = 0) -> None:
        if len(self.theirs) >= max(at_least, 1):
            await self.deps.store.append(self.ours)
            for i in range(0, len(self.theirs), PEER_FLUSH):
                self.app.recorder.insert_events(self.theirs[i : i + PEER_FLUSH])
            self.ours, self.theirs = [], []


# -- row 4 ----------------------------------------------------------------------------------


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


async def load_rows(deps: Any, pool: Any, app: PeerApp, quick: bool) -> list[harness.Row]:
    rows = []
    for size, repeats in ((10, 300), (100, 150), (1_000, 25)):
        repeats = repeats if quick else repeats * 4
        both = Both(deps, app)
        aggregate = program(size - 1, full_life=False)  # launched + size-1 enrolments
        both.add(aggregate)
        await both.flush()
        stream_id = Program.stream_id(aggregate.id)

        async def ours(stream_id: str = stream_id, size: int = size) -> None:
            loaded = replay([deps.codec.decode(e) for e in await deps.store.load(stream_id)])
            assert loaded is not None and loaded.version == size  # noqa: PT018

        async def limit(stream_id: str = stream_id) -> None:
            await pool.fetch("SELECT * FROM events WHERE stream_id = $1 ORDER BY stream_version", stream_id)

        async def peer(aggregate: Program = aggregate, size: int = size) -> None:
            assert app.repository.get(aggregate.id).version == size

        timings = {}
        for name, load in (("ours", ours), ("limit", limit), ("peer", peer)):
            await load()  # warm: prepared statements, caches
            samples = []
            for _ in range(repeats):
                started = time.perf_counter()
                await load()
                samples.append(time.perf_counter() - started)
            timings[name] = median_us(samples)
        rows.append(
            harness.Row(
                name=f"4. load a {size:,}-event aggregate", unit="µs/load", ours=timings["ours"],
                limit=timings["limit"], peer=timings["peer"], higher_is_better=False,
                notes=f"median of {repeats} loads; ours = load + decode + replay",
            )
        )
    return rows


# -- row 5 ----------------------------------------------------------------------------------


async def fill(deps: Any, app: PeerApp, events: int) -> None:
    both, written = Both(deps, app), 0
    while written < events:
        aggregate = program(STUDENTS, full_life=True)
        written += len(aggregate.pending_events)
        both.add(aggregate)
        await both.flush(at_least=FLUSH)
    await both.flush()


async def read_ours(deps: Any) -> int:
    read, after = 0, ORIGIN
    while batch := await deps.store.read_after(after, BATCH):
        decoded = [deps.codec.decode(e) for e in batch]
        read, after = read + len(decoded), batch[-1].checkpoint
    return read


async def read_limit(pool: Any) -> int:
    read, after = 0, ORIGIN
    unfiltered = (None,) * 7  # types, stream, scope, actor, correlation id, since, until
    while batch := await pool.fetch(_READ_AFTER, after.tx_id, after.position, BATCH, *unfiltered):
        read, after = read + len(batch), Checkpoint(batch[-1][1], batch[-1][0])
    return read


def read_peer(app: PeerApp) -> int:
    read, start = 0, 1
    while batch := app.recorder.select_notifications(start, BATCH):
        decoded = [app.mapper.to_domain_event(n) for n in batch]
        read, start = read + len(decoded), batch[-1].id + 1
    return read


async def catch_up_row(deps: Any, pool: Any, app: PeerApp) -> harness.Row:
    """Median of three timed passes per reader, after an untimed one (hint bits, caches)."""
    readers: dict[str, Callable[[], Awaitable[int]]] = {
        "ours": lambda: read_ours(deps),
        "limit": lambda: read_limit(pool),
        "peer": lambda: asyncio.to_thread(read_peer, app),
    }
    rates, counts = {}, set()
    for name, read in readers.items():
        passes = []
        for _ in range(4):
            with harness.Timer() as t:
                count = await read()
            counts.add(count)
            passes.append(count / t.seconds)
        rates[name] = statistics.median(passes[1:])
    if len(counts) != 1:
        raise RuntimeError(f"the readers saw different numbers of events: {counts}")
    return harness.Row(
        name=f"5. catch-up read + decode of {count:,} events", unit="events/s", ours=rates["ours"],
        limit=rates["limit"], peer=rates["peer"], target="≥ 100,000/s and ≥ 3× peer",
        met=rates["ours"] >= 100_000 and rates["ours"] >= 3 * rates["peer"],
        notes=f"batches of {BATCH:,}; median of 3 passes", extra={"events": count},
    )


# -- row 6 ----------------------------------------------------------------------------------


async def rebuild_row(deps: Any, pool: Any) -> harness.Row:
    runner = ProjectionRunner(pool, deps.store, deps.codec, default_projections())
    await runner.setup()
    per: dict[str, float] = {}
    read_total, seconds_total = 0, 0.0
    for name in ("enrolment", "outcome"):
        with harness.Timer() as t:
            read = await runner.rebuild(name)
        per[f"{name}_events_per_s"] = read / t.seconds
        read_total, seconds_total = read_total + read, seconds_total + t.seconds
    ours = read_total / seconds_total
    return harness.Row(
        name="6. rebuild enrolment + outcome from 0", unit="events/s", ours=ours,
        target="≥ 20,000/s", met=ours >= 20_000,
        notes="events read by both rebuilds ÷ their seconds (one projection pass); batch 500",
        extra=per | {"events_per_pass": read_total // 2},
    )


async def run(admin_url: str, *, quick: bool) -> list[harness.Row]:
    events = 50_000 if quick else 300_000
    async with (
        harness.scratch_database(admin_url) as dsn,
        harness.scratch_database(admin_url, migrated=False) as peer_dsn,
        harness.bridgework(dsn) as deps,
    ):
        pool = await create_pool(dsn, 2, 4)
        app = peer_app(peer_dsn)
        try:
            await fill(deps, app, events)
            rows = await load_rows(deps, pool, app, quick)  # from a table of realistic size
            rows.append(await catch_up_row(deps, pool, app))
            rows.append(await rebuild_row(deps, pool))
        finally:
            app.close()
            await pool.close()
    return rows
