"""Command rows: what one command costs, by history length, under contention, sustained.

11. Command cost at 10 / 1,000 / 10,000 events on the program's stream: median µs of one
    `enroll_student` (one writer) into a program that already holds that many events, after
    a few warm-up commands, the sizes taking turns. The notes give a new process's first
    command before any snapshot was taken and again once one exists.
    Target: the 10,000-event command at most 1.5× the 10-event one.
3b. One program, 32 concurrent `enroll_student` commands through the unit of work (one
    process): commands/s and the version conflicts the store saw per attempt. Limit: row 3's
    figure (32 writers racing on one stream through the bare store) of the same run.
12. Sustainable service-layer rate: `enroll_student` from 8 writers, each command on a
    different program and the commands in flight on different students, commands/s. Limit:
    a plain asyncpg `INSERT` of one event row from 8 writers on the same database (row 1's
    limit). The notes also give the rate when every command in flight enrols the same
    student (each then finds the student's stream held by another and loads it from the
    store).
"""

from __future__ import annotations

import contextlib
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import harness
import service_rows
import store_rows
from bridgework.domain.program import Program
from bridgework.services.enrolment import EnrollStudent, enroll_student
from bridgework.services.ports import StreamAppend

SIZES = (10, 1_000, 10_000)


async def program_of(deps: Any, events: int, student: uuid.UUID) -> uuid.UUID:
    """A program whose stream holds `events` events (launch + enrolments), written in bulk."""
    [program], _ = await service_rows.seed(deps, 1, 1_000_000, 0)
    loaded = [deps.codec.decode(e) for e in await deps.store.load(Program.stream_id(program))]
    prog, now = loaded[0].mutate(None), datetime.now(UTC)
    for _ in range(events - len(loaded)):
        prog._enrol(student_id=uuid.uuid4(), timestamp=now)  # noqa: SLF001 - no O(n) rule check
    pending = prog.collect_events()
    version = len(loaded)
    for start in range(0, len(pending), 2_000):
        chunk = pending[start:start + 2_000]
        encoded = [deps.codec.encode(e, event_id=uuid.uuid4(), metadata=harness.METADATA) for e in chunk]
        await deps.store.append([StreamAppend(stream_id=Program.stream_id(program), expected_version=version, events=encoded)])
        version += len(chunk)
    return program


async def cost_rows(admin_url: str, quick: bool) -> list[harness.Row]:
    timed = 20 if quick else 60
    samples: dict[int, list[float]] = {n: [] for n in SIZES}
    async with harness.scratch_database(admin_url) as dsn:
        async with harness.bridgework(dsn) as seeding:
            _, kids = await service_rows.seed(seeding, 0, 1, (timed + 5) * len(SIZES))
            programs = {n: await program_of(seeding, n, kids[0]) for n in SIZES}
        fresh = iter(kids)
        async with contextlib.AsyncExitStack() as stack:
            # One process (its own cache) per size; the sizes take turns, so a burst of
            # noise on this shared machine hits them all alike.
            deps = {n: await stack.enter_async_context(harness.bridgework(dsn)) for n in SIZES}
            for _ in range(timed + 3):
                for n, program in programs.items():
                    cmd = EnrollStudent(program_id=program, student_id=next(fresh))
                    started = time.perf_counter()
                    await enroll_student(deps[n], service_rows.ctx(), cmd)
                    samples[n].append(time.perf_counter() - started)
        restarted = {}
        for n, program in programs.items():  # a new process again: now from the snapshot
            async with harness.bridgework(dsn) as deps_after:
                cmd = EnrollStudent(program_id=program, student_id=next(fresh))
                started = time.perf_counter()
                await enroll_student(deps_after, service_rows.ctx(), cmd)
                restarted[n] = (time.perf_counter() - started) * 1e6
    cold = {n: s[0] * 1e6 for n, s in samples.items()}
    medians = {n: statistics.median(s[3:]) * 1e6 for n, s in samples.items()}
    small, large = medians[SIZES[0]], medians[SIZES[-1]]
    rows = [
        harness.Row(
            name=f"11. command cost, program of {n:,} events", unit="µs", ours=medians[n],
            limit=small if n != SIZES[0] else None, higher_is_better=False,
            target="≤ 1.5× the 10-event one" if n == SIZES[-1] else "",
            met=(large <= 1.5 * small) if n == SIZES[-1] else None,
            notes=f"limit = the 10-event command; a new process's first command {cold[n]:,.0f} µs"
                  f" before any snapshot, {restarted[n]:,.0f} µs from one",
        )
        for n in SIZES
    ]
    return rows


async def same_program_row(admin_url: str, seconds: float, raw_rate: float | None) -> harness.Row:
    writers = 32
    async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:
        [program], kids = await service_rows.seed(deps, 1, 1_000_000, 20_000)
        fresh = iter(kids)

        async def enrol() -> None:
            cmd = EnrollStudent(program_id=program, student_id=next(fresh))
            await enroll_student(deps, service_rows.ctx(), cmd)

        await store_rows.for_a_while(writers, 0.3, enrol)
        conflicts_before = deps.store.stats.version_conflicts
        landed, lat = await store_rows.for_a_while(writers, seconds, enrol)
        conflicts = deps.store.stats.version_conflicts - conflicts_before
        versions = [r[0] for r in await deps.store._pool.fetch(  # noqa: SLF001
            "SELECT stream_version FROM events WHERE stream_id = $1 ORDER BY 1", Program.stream_id(program)
        )]
    if versions != list(range(1, len(versions) + 1)):
        raise AssertionError("same-program commands left a gap or a double in the stream")
    rate = landed / seconds
    attempts = landed + conflicts
    share = conflicts / attempts if attempts else 0.0
    s = harness.latency_summary(lat)
    return harness.Row(
        name="3b. one program, 32 concurrent commands (unit of work)", unit="commands/s",
        ours=rate, limit=raw_rate, target="≥ 5× row 3, conflicts ≤ 10% of attempts",
        met=None if raw_rate is None else (rate >= 5 * raw_rate and share <= 0.10),
        notes=f"{landed} landed, {conflicts} conflicts ({share:.0%} of attempts); "
              f"p50 {s['p50_ms']:.1f} / p99 {s['p99_ms']:.1f} ms; limit = row 3 (bare store)",
        extra=s | {"landed": landed, "conflicts": conflicts},
    )


def distinct_pairs(programs: list[uuid.UUID], students: list[uuid.UUID]) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Every (program, student) pair once, consecutive pairs on different programs and (with
    at least as many students as writers) different students."""
    p, k = len(programs), len(students)
    return [(programs[i % p], students[(i // p + i % p) % k]) for i in range(p * k)]


async def sustained_row(admin_url: str, seconds: float) -> harness.Row:
    writers, programs = 8, 400
    async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:
        progs, kids = await service_rows.seed(deps, programs, 100_000, 40)
        hot, _ = await service_rows.seed(deps, programs, 100_000, 0)  # programs for the notes' case
        pool = deps.store._pool  # noqa: SLF001
        pairs = iter(distinct_pairs(progs, kids))
        same = iter([(hot[i % programs], kids[i // programs]) for i in range(programs * len(kids))])

        def enrol(from_pairs: Any) -> Any:
            async def step() -> None:
                program, student = next(from_pairs)
                await enroll_student(deps, service_rows.ctx(), EnrollStudent(program_id=program, student_id=student))
            return step

        await store_rows.for_a_while(writers, 0.5, enrol(pairs))
        n, lat = await store_rows.for_a_while(writers, seconds, enrol(pairs))
        await store_rows.for_a_while(writers, 0.5, enrol(same))
        hot_n, _ = await store_rows.for_a_while(writers, seconds, enrol(same))

        async def insert() -> None:
            e = harness.enrolled_event(f"program-{uuid.uuid4()}", 1)
            await pool.execute(store_rows.INSERT, *store_rows.row_of(e))

        m, _ = await store_rows.for_a_while(writers, seconds, insert)
    ours, limit = n / seconds, m / seconds
    s = harness.latency_summary(lat)
    return harness.Row(
        name="12. sustained commands, 8 writers, distinct programs", unit="commands/s",
        ours=ours, limit=limit, target="≥ 0.25× the INSERT limit", met=ours >= 0.25 * limit,
        notes=f"p50 {s['p50_ms']:.1f} / p99 {s['p99_ms']:.1f} ms; limit = plain INSERT, 8 writers;"
              f" the same student in every command in flight: {hot_n / seconds:,.0f}/s"
              f" ({hot_n / m:.2f}× the limit)",
        extra=s | {"same_student_per_s": hot_n / seconds},
    )


async def run(admin_url: str, *, quick: bool) -> list[harness.Row]:
    seconds = 2.0 if quick else 6.0
    raw = await store_rows.contention_row(admin_url, seconds)
    return [
        raw,
        await same_program_row(admin_url, seconds, raw.ours),
        *await cost_rows(admin_url, quick),
        await sustained_row(admin_url, seconds),
    ]
