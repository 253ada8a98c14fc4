"""The unit of work's stream locks, aggregate cache and snapshots, on the real store: a
cached aggregate always equals a full replay of its stream, whoever wrote to it."""

from __future__ import annotations

import asyncio

import pytest
from bridgework.domain.base import replay
from bridgework.domain.errors import DomainError
from bridgework.domain.program import Program
from bridgework.domain.student import Student
from bridgework.services import snapshots
from bridgework.services.enrolment import (
    EnrollStudent,
    WithdrawStudent,
    enroll_student,
    withdraw_student,
)
from bridgework.services.errors import Conflict
from bridgework.services.unit_of_work import CommandResult, Deps, execute
from support.consent import consent
from support.context import staff
from support.scenario import a_program, enrol, students


async def withdraw(deps, program, student):
    cmd = WithdrawStudent(program_id=program, student_id=student, reason="Moved away")
    return await withdraw_student(deps, staff(), cmd)


async def full_load(deps, program_id) -> Program:
    stored = await deps.store.load(Program.stream_id(program_id))
    folded = replay([deps.codec.decode(e) for e in stored])
    assert isinstance(folded, Program)
    return folded


def cached(deps, program_id) -> Program:
    entry = deps.streams.cache.take(Program.stream_id(program_id))
    assert entry is not None, "the program was not cached"
    deps.streams.cache.put(Program.stream_id(program_id), entry)
    assert isinstance(entry.aggregate, Program)
    return entry.aggregate


def state(aggregate) -> dict:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def enrol_with(program_id, student_id, before=None):
    """A decide that loads the program, awaits `before(attempt)`, then enrols the student."""
    attempts = []

    async def decide(session) -> CommandResult:
        program = await session.get(Program, program_id, "programId")
        attempts.append(program.version)
        if before is not None:
            await before(len(attempts))
        program.enrol(student_id=student_id, student_name="A student", at=session.now)
        return CommandResult(id=program_id)

    return decide, attempts


async def test_a_stale_cache_conflicts_reloads_and_ends_equal_to_a_full_load(deps, other_process):
    program, _, _ = await a_program(deps, capacity=10)
    s = await students(deps, 5)
    await enrol(deps, program, s[0])  # cached here at that version

    async def the_other_process_writes_first(attempt):
        if attempt == 1:
            await enrol(other_process, program, s[1])

    decide, attempts = enrol_with(program, s[2], the_other_process_writes_first)
    cmd = EnrollStudent(program_id=program, student_id=s[2])
    await execute(deps, staff(), cmd, decide)
    assert deps.store.stats.version_conflicts == 1
    assert attempts == [2, 3]  # the retry saw the other process's enrolment
    await enrol(other_process, program, s[3])  # behind this process's cache again
    await enrol(deps, program, s[4])  # the cache is trusted: the append's guard catches it
    assert deps.store.stats.version_conflicts == 2
    full = await full_load(deps, program)
    assert full.enrolled == s
    assert state(cached(deps, program)) == state(full)


async def test_a_stream_only_read_from_the_cache_is_guarded_by_the_version_it_was_read_at(
    deps, other_process, pool
):
    """A command trusts the aggregates this process cached without asking the store; one it
    only read (the student) and another process moved on is caught by the append's guard,
    and the command is decided again on what that process wrote."""
    program, _, _ = await a_program(deps, capacity=10)
    ana, ben = await students(deps, 2)  # both cached here, with the program
    await enrol(deps, program, ben)  # the program is cached here as it is in the store
    seen = []

    async def decide(session) -> CommandResult:
        student = await session.get(Student, ana, "studentId")
        seen.append(student.version)
        if len(seen) == 1:  # another process changes the student after this one read it
            await consent(other_process, ana)
        p = await session.get(Program, program, "programId")
        p.enrol(student_id=ana, student_name=student.name, at=session.now)
        return CommandResult(id=program)

    cmd = EnrollStudent(program_id=program, student_id=ana)
    await execute(deps, staff(), cmd, decide)
    assert seen[1] == seen[0] + 1, "decided again on the student the other process moved on"
    assert deps.store.stats.version_conflicts >= 1
    rows = await pool.fetch(
        "SELECT stream_version FROM events WHERE stream_id = $1 ORDER BY 1",
        Program.stream_id(program),
    )
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert (await full_load(deps, program)).enrolled == [ben, ana]
    assert state(cached(deps, program)) == state(await full_load(deps, program))


async def test_a_refusal_decided_on_a_stale_cache_is_decided_again_before_it_is_given(
    deps, other_process
):
    program, _, _ = await a_program(deps, capacity=10)
    [ana] = await students(deps, 1)
    await enrol(deps, program, ana)  # cached here: Ana holds a seat
    await withdraw(other_process, program, ana)  # not any more
    result = await enroll_student(deps, staff(), EnrollStudent(program_id=program, student_id=ana))
    assert result.status == "ENROLLED", "not 'already enrolled', from the stale cache"
    assert (await full_load(deps, program)).enrolled == [ana]
    with pytest.raises(DomainError, match="already enrolled"):  # a refusal that holds stands
        await enrol(deps, program, ana)


async def test_two_processes_racing_on_one_program_both_end_with_the_full_state(
    deps, other_process
):
    program, _, _ = await a_program(deps, capacity=100)
    kids = await students(deps, 24)
    await asyncio.gather(
        *(enrol(d, program, k) for d, k in zip([deps, other_process] * 12, kids, strict=True))
    )
    extra = await students(deps, 2)
    await enrol(deps, program, extra[0])
    await enrol(other_process, program, extra[1])
    full = await full_load(deps, program)
    assert sorted(full.enrolled) == sorted(kids + extra)
    assert state(cached(other_process, program)) == state(full)
    await enrol(deps, program, (await students(deps, 1))[0])
    assert state(cached(deps, program)) == state(await full_load(deps, program))


async def test_a_refused_decision_does_not_poison_the_cache(deps):
    program, _, _ = await a_program(deps, capacity=10)
    ana, ben, cy = await students(deps, 3)
    await enrol(deps, program, ana)

    async def enrol_ben_then_break_a_rule(session):
        p = await session.get(Program, program, "programId")
        p.enrol(student_id=ben, student_name="Ben", at=session.now)  # mutates the aggregate
        p.enrol(student_id=ana, student_name="Ana", at=session.now)  # already enrolled: refused
        return CommandResult(id=program)

    cmd = EnrollStudent(program_id=program, student_id=ben)
    with pytest.raises(DomainError, match="already"):
        await execute(deps, staff(), cmd, enrol_ben_then_break_a_rule)
    await enrol(deps, program, cy)
    assert cached(deps, program).enrolled == [ana, cy]
    assert state(cached(deps, program)) == state(await full_load(deps, program))


async def test_same_program_commands_in_one_process_queue_without_conflicts(deps, pool):
    program, _, _ = await a_program(deps, capacity=100)
    kids = await students(deps, 24)
    await asyncio.gather(*(enrol(deps, program, k) for k in kids))
    assert deps.store.stats.version_conflicts == 0
    versions = await pool.fetch(
        "SELECT stream_version FROM events WHERE stream_id = $1 ORDER BY 1",
        Program.stream_id(program),
    )
    assert [r[0] for r in versions] == list(range(1, 26))
    assert not deps.streams.locks  # every lock released


async def test_a_command_that_keeps_colliding_releases_its_lock(deps, other_process, monkeypatch):
    monkeypatch.setattr("bridgework.services.unit_of_work.MAX_ATTEMPTS", 2)
    program, _, _ = await a_program(deps, capacity=10)
    kids = await students(deps, 3)

    async def the_other_process_always_wins(attempt):
        await enrol(other_process, program, kids[attempt])

    decide, _ = enrol_with(program, kids[0], the_other_process_always_wins)
    with pytest.raises(Conflict):
        await execute(deps, staff(), EnrollStudent(program_id=program, student_id=kids[0]), decide)
    assert not deps.streams.locks
    await enrol(deps, program, kids[0])
    assert (await full_load(deps, program)).enrolled == [kids[1], kids[2], kids[0]]


async def snapshot_row(pool, program):
    return await pool.fetchrow(
        "SELECT version, layout FROM snapshots WHERE stream_id = $1", Program.stream_id(program)
    )


def fresh(deps) -> Deps:
    """The same store, a new process's empty cache."""
    return Deps(store=deps.store, codec=deps.codec, clock=deps.clock, new_id=deps.new_id)


async def test_a_long_stream_is_snapshotted_and_a_cold_load_starts_from_it(deps, pool, monkeypatch):
    monkeypatch.setattr(snapshots, "SNAPSHOT_EVERY", 4)
    program, _, _ = await a_program(deps, capacity=10)
    kids = await students(deps, 6)
    for k in kids[:4]:
        await enrol(deps, program, k)
    row = await snapshot_row(pool, program)
    assert row["version"] == 4  # launched + 3 enrolments reached SNAPSHOT_EVERY
    assert row["layout"] == snapshots.layout(Program)
    loads = {}
    real_load_latest = deps.store.load_latest

    async def recording_load_latest(stream_id):
        loads[stream_id] = snapshot, tail = await real_load_latest(stream_id)
        return snapshot, tail

    monkeypatch.setattr(deps.store, "load_latest", recording_load_latest)
    cold = fresh(deps)
    await enrol(cold, program, kids[4])
    snapshot, tail = loads[Program.stream_id(program)]
    assert snapshot.version == 4
    assert [e.stream_version for e in tail] == [5]  # only what came after the snapshot
    assert state(cached(cold, program)) == state(await full_load(deps, program))


async def test_a_snapshot_of_an_old_layout_is_ignored_and_replaced(deps, pool, monkeypatch):
    monkeypatch.setattr(snapshots, "SNAPSHOT_EVERY", 3)
    program, _, _ = await a_program(deps, capacity=10)
    kids = await students(deps, 4)
    for k in kids[:3]:
        await enrol(deps, program, k)
    await pool.execute("UPDATE snapshots SET layout = 'the aggregate as it was last year'")
    cold = fresh(deps)
    await enrol(cold, program, kids[3])
    assert cached(cold, program).enrolled == kids
    row = await snapshot_row(pool, program)
    assert (row["version"], row["layout"]) == (5, snapshots.layout(Program))


async def test_a_load_that_fails_releases_the_streams_lock(deps, monkeypatch):
    program, _, _ = await a_program(deps, capacity=10)
    (ana,) = await students(deps, 1)
    fresh_process = fresh(deps)  # nothing cached: the program's load goes to the store
    real_load_latest = deps.store.load_latest

    async def database_gone(stream_id):
        monkeypatch.setattr(deps.store, "load_latest", real_load_latest)
        raise ConnectionResetError("the database went away")

    monkeypatch.setattr(deps.store, "load_latest", database_gone)
    with pytest.raises(ConnectionResetError):
        await enrol(fresh_process, program, ana)
    assert not fresh_process.streams.locks
    async with asyncio.timeout(10):
        await enrol(fresh_process, program, ana)
    assert (await full_load(deps, program)).enrolled == [ana]
