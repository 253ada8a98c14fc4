"""Poison events are parked for the projections that fail on them; nothing else stops."""

from __future__ import annotations

import asyncio
import logging
import uuid

from bridgework.domain.student import Student
from bridgework.projections import directory
from bridgework.projections.enrolment import program_enrolments
from bridgework.projections.outcomes import program_outcomes
from bridgework.projections.registry import default_projections
from bridgework.projections.timeline import timelines
from bridgework.services.directory import RegisterStudent, register_student
from support.context import staff
from support.poison import ATTEMPTS, NOW, a_program_named, append_bypassing_validation, quick_runner
from support.scenario import a_program, enrol, students


async def caught_up(pool, runner) -> None:
    head = await pool.fetchval("SELECT max(position) FROM events")
    deadline = asyncio.get_running_loop().time() + 60
    while {cp.position for cp in (await runner.checkpoints()).values()} != {head}:
        assert asyncio.get_running_loop().time() < deadline, await runner.checkpoints()
        await asyncio.sleep(0.05)


async def test_a_nul_in_a_program_name_parks_it_for_the_views_that_store_names_and_no_view_stops(
    deps, pool, caplog
):
    ordinary, _, partnership = await a_program(deps, capacity=1)
    poisoned = a_program_named("Robo\x00tics", partnership)
    poison_at = await append_bypassing_validation(deps, poisoned)
    kids = await students(deps, 3)
    for kid in kids:
        await enrol(deps, poisoned.id, kid)
    late = await register_student(deps, staff(), RegisterStudent(name="Late Comer"))

    runner = quick_runner(pool, deps)
    await runner.setup()
    following = asyncio.create_task(runner.run())
    try:
        await caught_up(pool, runner)
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)

    parked = await runner.parked()
    # Only these two copy a program's name into a text column.
    assert {(p.projection, p.position) for p in parked} == {
        ("directory", poison_at),
        ("timeline", poison_at),
    }
    for p in parked:
        assert p.event_type == "ProgramLaunched"
        assert p.event_id is not None
        assert p.error.startswith("CharacterNotInRepertoireError: ")
        assert "0x00" in p.error
        assert (p.attempts, p.resolved_at, p.resolution) == (ATTEMPTS, None, None)
    assert {n for n, s in runner.stats.items() if s.parked} == {"directory", "timeline"}

    seats = (await program_enrolments(pool, [poisoned.id]))[poisoned.id]
    assert (seats.capacity, seats.enrolled, seats.waitlisted) == (2, 2, 1)
    assert poisoned.id in await program_outcomes(pool, [poisoned.id])
    assert set(await directory.programs(pool, [ordinary, poisoned.id])) == {ordinary}
    assert set(await directory.students(pool, [*kids, late.id])) == {*kids, late.id}
    entries = await timelines(pool, kids)
    assert sorted(e.event_type for e in entries if e.program_id == poisoned.id) == [
        "StudentEnrolled",
        "StudentEnrolled",
        "StudentWaitlisted",
    ]

    parkings = [r for r in caplog.records if "parked event" in r.getMessage()]
    assert [r.levelno for r in parkings] == [logging.ERROR, logging.ERROR]
    isolating = [r for r in caplog.records if r.levelno == logging.WARNING and "failed" in r.msg]
    assert isolating
    assert all(r.exc_info is None for r in isolating)


async def test_an_event_that_cannot_be_decoded_is_parked_for_every_view_that_handles_its_type(
    deps, pool
):
    student = Student.register(id=uuid.uuid4(), name="Ana", grade=7, school_id=None, at=NOW)
    broken = await append_bypassing_validation(deps, student, payload=b'{"name": 5}')
    after = await register_student(deps, staff(), RegisterStudent(name="Bo Chen"))
    runner = quick_runner(pool, deps)
    await runner.setup()
    await runner.catch_up(park=True)

    handling = {p.name for p in default_projections() if "StudentRegistered" in p.handles}
    parked = await runner.parked()
    assert {p.projection for p in parked} == handling
    assert {p.position for p in parked} == {broken}
    assert all(p.error.startswith("ValidationError: ") for p in parked)
    assert set(await directory.students(pool, [student.id, after.id])) == {after.id}
