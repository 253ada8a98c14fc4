"""Read models on the real log: exactly-once, crash and resume, rebuild equals live."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from bridgework.infra.database import create_pool
from bridgework.infra.demo import load_demo
from bridgework.projections import directory, enrolment, outcomes
from bridgework.projections.enrolment import Enrolment
from bridgework.projections.positions import PositionWatcher
from bridgework.projections.registry import default_projections
from bridgework.services.directory import RegisterStudent, register_student
from bridgework.services.enrolment import (
    CompleteEnrollment,
    WithdrawStudent,
    complete_enrollment,
    withdraw_student,
)
from bridgework.services.mentoring import AssignMentor, assign_mentor
from bridgework.services.outcomes import RecordShowcase, record_showcase
from support.context import staff
from support.scenario import a_program, cleared_mentor, enrol, runner_for, students

if TYPE_CHECKING:
    from bridgework.projections.runner import ProjectionRunner

TODAY = datetime.now(UTC).date()


@pytest.fixture
async def runner(pool, deps):
    runner = runner_for(pool, deps)
    await runner.setup()
    return runner


async def dump(pool, runner: ProjectionRunner) -> dict[str, list]:
    """Every row of every table of the registry's projections, in a total order."""
    tables = [t for p in default_projections() for t in p.tables]
    dumped = {}
    for t in tables:
        rows = await pool.fetch(f"SELECT * FROM {t}")  # noqa: S608
        dumped[t] = sorted((tuple(r) for r in rows), key=repr)
    return dumped


async def test_the_views_follow_a_program_from_launch_to_showcase(deps, pool, runner):
    program, orgs, partnership = await a_program(deps, capacity=2)
    kids = await students(deps, 4)
    for kid in kids:
        await enrol(deps, program, kid)
    mentor = await cleared_mentor(deps, orgs[1])
    await withdraw_student(
        deps, staff(), WithdrawStudent(program_id=program, student_id=kids[0])
    )  # kids[2] takes the seat
    await assign_mentor(
        deps,
        staff(),
        AssignMentor(program_id=program, student_id=kids[1], mentor_id=mentor.id),
    )
    await record_showcase(
        deps,
        staff(),
        RecordShowcase(
            program_id=program,
            title="Robot Rumble",
            held_on=TODAY,
            presenter_ids=[kids[1], kids[2]],
            attending_organization_ids=[orgs[1]],
        ),
    )
    await runner.catch_up()
    view = (await enrolment.program_enrolments(pool, [program]))[program]
    assert (view.capacity, view.enrolled, view.waitlisted) == (2, 2, 1)
    assert (view.withdrawn, view.completed, view.seats_left) == (1, 0, 0)
    assert view.waitlist == [kids[3]]
    [mine] = (await enrolment.enrolments_of_students(pool, [kids[3]]))[kids[3]]
    assert (mine.status, mine.waitlist_place) == ("WAITLISTED", 1)

    last = await complete_enrollment(
        deps, staff(), CompleteEnrollment(program_id=program, student_id=kids[1])
    )  # kids[3] takes the seat kids[1] leaves
    assert await runner.catch_up() > 0
    assert await PositionWatcher(pool, deps.store).wait(last.position, 1)

    view = (await enrolment.program_enrolments(pool, [program]))[program]
    assert (view.capacity, view.enrolled, view.waitlisted) == (2, 2, 0)
    assert (view.withdrawn, view.completed, view.seats_left) == (1, 1, 0)
    assert view.waitlist == []
    entries = (await enrolment.enrolments_of_programs(pool, [program]))[program]
    assert [(e.student_id, e.status) for e in entries] == [
        (kids[2], "ENROLLED"),
        (kids[3], "ENROLLED"),
        (kids[1], "COMPLETED"),
        (kids[0], "WITHDRAWN"),
    ]
    assert entries[1].waitlist_place is None
    assert entries[2].mentor_id == mentor.id

    outcome = (await outcomes.program_outcomes(pool, [program]))[program]
    assert (outcome.showcases_held, outcome.students_presented, outcome.completions) == (1, 2, 1)
    assert outcome.completion_rate == pytest.approx(1 / 4)  # four students ever held a seat
    assert (outcome.mentors_assigned, outcome.students_mentored) == (1, 1)
    [showcase] = (await outcomes.showcases_of_programs(pool, [program]))[program]
    assert (showcase.title, showcase.presenter_ids) == ("Robot Rumble", [kids[1], kids[2]])

    assert (await directory.mentors(pool, [mentor.id]))[mentor.id].active_mentees == 0
    assert (await directory.partnerships(pool, [partnership]))[partnership].organisation_ids == orgs
    [listed] = await directory.list_programs(
        pool, after_seq=None, limit=10, partnership_id=partnership
    )
    assert listed.id == program
    assert await directory.list_programs(pool, after_seq=listed.seq, limit=10) == []
    assert await directory.list_programs(pool, after_seq=None, limit=10, kind="bootcamp") == []
    assert await directory.students(pool, [program]) == {}


@pytest.mark.slow
async def test_fifty_concurrent_enrolments_into_ten_seats_give_ten_seats_and_forty_in_line(
    deps, pool, runner
):
    program, _, _ = await a_program(deps, capacity=10)
    kids = await students(deps, 50)
    results = await asyncio.gather(*(enrol(deps, program, kid) for kid in kids))
    assert sorted(r.status for r in results).count("ENROLLED") == 10

    by_type = dict(
        await pool.fetch(
            "SELECT event_type, count(*) FROM events WHERE stream_id = $1 GROUP BY 1",
            f"program-{program}",
        )
    )
    assert by_type == {"ProgramLaunched": 1, "StudentEnrolled": 10, "StudentWaitlisted": 40}
    versions = await pool.fetch(
        "SELECT stream_version FROM events WHERE stream_id = $1 ORDER BY 1", f"program-{program}"
    )
    assert [r[0] for r in versions] == list(range(1, 52))

    await runner.catch_up()
    view = (await enrolment.program_enrolments(pool, [program]))[program]
    assert (view.enrolled, view.waitlisted, view.seats_left) == (10, 40, 0)
    assert len(set(view.waitlist)) == 40
    places = [
        e.waitlist_place
        for e in (await enrolment.enrolments_of_programs(pool, [program]))[program]
        if e.status == "WAITLISTED"
    ]
    assert places == list(range(1, 41))


class Crashing:
    """The enrolment model, one event at a time, dying on its `fail_at`-th event."""

    def __init__(self, fail_at: int) -> None:
        self.inner = Enrolment()
        self.name, self.version, self.schema = "enrolment", 1, self.inner.schema
        self.tables, self.handles = self.inner.tables, self.inner.handles
        self.fail_at = fail_at
        self.seen = 0

    async def apply_batch(self, conn, events):
        for item in events:
            self.seen += 1
            if self.seen == self.fail_at:
                raise RuntimeError("the process died here")
            await self.inner.apply_batch(conn, [item])


class CrashingAfterWriting(Crashing):
    """The batched enrolment model, dying after it wrote a whole batch's rows."""

    async def apply_batch(self, conn, events):
        await self.inner.apply_batch(conn, events)
        raise RuntimeError("the process died before the checkpoint moved")


async def test_a_projection_that_dies_mid_batch_resumes_without_double_counting(deps, pool):
    program, _, _ = await a_program(deps, capacity=3)
    for kid in await students(deps, 6):
        await enrol(deps, program, kid)
    crashing = runner_for(pool, deps, [Crashing(fail_at=4)])
    await crashing.setup()
    with pytest.raises(RuntimeError, match="died"):
        await crashing.catch_up()
    checkpoint = await pool.fetchrow(
        "SELECT position FROM projection_checkpoints WHERE name = 'enrolment'"
    )
    assert checkpoint["position"] == 0  # the whole batch rolled back
    assert await pool.fetchval("SELECT count(*) FROM enrolment_entries") == 0

    resumed = runner_for(pool, deps, [Enrolment()])
    await resumed.catch_up()
    view = (await enrolment.program_enrolments(pool, [program]))[program]
    assert (view.enrolled, view.waitlisted) == (3, 3)
    assert await resumed.catch_up() == 0


async def test_rows_written_by_a_batch_that_dies_are_rolled_back_with_it(deps, pool):
    program, _, _ = await a_program(deps, capacity=2)
    for kid in await students(deps, 3):
        await enrol(deps, program, kid)
    crashing = runner_for(pool, deps, [CrashingAfterWriting(fail_at=0)])
    await crashing.setup()
    with pytest.raises(RuntimeError, match="checkpoint"):
        await crashing.catch_up()
    assert await pool.fetchval("SELECT count(*) FROM enrolment_entries") == 0
    assert (await crashing.checkpoints())["enrolment"].position == 0

    await runner_for(pool, deps, [Enrolment()]).catch_up()
    view = (await enrolment.program_enrolments(pool, [program]))[program]
    assert (view.enrolled, view.waitlisted) == (2, 1)


async def test_small_batches_that_die_part_way_keep_what_they_committed(deps, pool):
    program, _, _ = await a_program(deps, capacity=3)
    for kid in await students(deps, 6):
        await enrol(deps, program, kid)
    crashing = runner_for(pool, deps, [Crashing(fail_at=5)], batch_size=2)
    await crashing.setup()
    with pytest.raises(RuntimeError):
        await crashing.catch_up()
    assert (
        await pool.fetchval("SELECT position FROM projection_checkpoints WHERE name = 'enrolment'")
        > 0
    )
    await runner_for(pool, deps, [Enrolment()]).catch_up()
    view = (await enrolment.program_enrolments(pool, [program]))[program]
    assert (view.enrolled, view.waitlisted) == (3, 3)


async def test_rebuilding_from_position_zero_gives_exactly_the_live_rows(deps, pool, runner):
    await load_demo(deps)
    await runner.catch_up()
    live = await dump(pool, runner)
    assert all(live.values())
    for name in runner.names():
        assert await runner.rebuild(name) > 0
    assert await dump(pool, runner) == live


async def test_every_projection_catches_up_side_by_side_on_a_pool_of_two(deps, database_url):
    """A batch holds one connection at a time, so a small pool is slow, never stuck."""
    await load_demo(deps)
    small = await create_pool(database_url, 1, 2)
    try:
        runner = runner_for(small, deps, batch_size=50)
        await runner.setup()
        read_ = await asyncio.wait_for(runner.catch_up(), timeout=120)
        assert read_ == len(runner.names()) * await small.fetchval("SELECT count(*) FROM events")
    finally:
        await small.close()


class OneByOne:
    """A model fed one event at a time instead of a whole batch."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name, self.version, self.schema = inner.name, inner.version, inner.schema
        self.tables, self.handles = inner.tables, inner.handles

    async def apply_batch(self, conn, events):
        for item in events:
            await self.inner.apply_batch(conn, [item])


async def test_batched_and_one_by_one_application_give_the_same_rows(deps, pool, runner):
    await load_demo(deps)
    program, orgs, _ = await a_program(deps, capacity=1)
    first, second = await students(deps, 2)
    mentor = await cleared_mentor(deps, orgs[1])
    await enrol(deps, program, first)
    await enrol(deps, program, second)
    await assign_mentor(
        deps, staff(), AssignMentor(program_id=program, student_id=first, mentor_id=mentor.id)
    )
    await withdraw_student(deps, staff(), WithdrawStudent(program_id=program, student_id=first))
    await enrol(deps, program, first)  # back, at the end of the line
    await runner.catch_up()
    batched = await dump(pool, runner)
    [withdrawn_and_back] = [
        e
        for e in (await enrolment.enrolments_of_programs(pool, [program]))[program]
        if e.student_id == first
    ]
    assert (withdrawn_and_back.status, withdrawn_and_back.mentor_id) == ("WAITLISTED", None)
    assert (await directory.mentors(pool, [mentor.id]))[mentor.id].active_mentees == 0

    one_by_one = runner_for(pool, deps, [OneByOne(p) for p in default_projections()], 3)
    for name in one_by_one.names():
        await one_by_one.rebuild(name)
    assert await dump(pool, one_by_one) == batched


async def test_two_workers_racing_apply_each_event_once(deps, pool):
    await load_demo(deps)
    one, two = runner_for(pool, deps, batch_size=7), runner_for(pool, deps, batch_size=5)
    await one.setup()
    await asyncio.gather(one.catch_up(), two.catch_up(), one.catch_up())
    racing = await dump(pool, one)
    assert set(racing) == {t for p in default_projections() for t in p.tables}
    assert all(racing.values())
    clean = runner_for(pool, deps)
    await clean.setup()
    assert set(clean.names()) == {p.name for p in default_projections()}
    for name in clean.names():
        assert await clean.rebuild(name) > 0
    assert await dump(pool, clean) == racing


async def test_ignored_events_still_move_a_checkpoint(deps, pool, runner):
    last = await register_student(deps, staff(), RegisterStudent(name="Ana Lima"))
    await runner.catch_up()
    checkpoints = await runner.checkpoints()
    assert {cp.position for cp in checkpoints.values()} == {last.position}


async def test_reading_your_writes_waits_for_the_runner(deps, pool, runner):
    written = await register_student(deps, staff(), RegisterStudent(name="Ana Lima"))
    watcher = PositionWatcher(pool, deps.store)
    assert not await watcher.wait(written.position, 0.05)
    assert await watcher.wait(0, 0)
    following = asyncio.create_task(runner.run())
    try:
        assert await watcher.wait(written.position, 30)
        later = await register_student(deps, staff(), RegisterStudent(name="Bo Chen"))
        assert await watcher.wait(later.position, 30, ["directory"])
        assert later.id in await directory.students(pool, [later.id])
    finally:
        following.cancel()
        with pytest.raises(asyncio.CancelledError):
            await following


class EnrolmentUpgraded(Enrolment):
    version = Enrolment.version + 1


async def test_a_new_projection_version_rebuilds_on_setup(deps, pool, runner):
    program, _, _ = await a_program(deps, capacity=1)
    await runner.catch_up()
    await pool.execute("DELETE FROM enrolment_programs")  # damage it; a new version rebuilds it
    upgraded = runner_for(pool, deps, [EnrolmentUpgraded()])
    await upgraded.setup()
    assert program in await enrolment.program_enrolments(pool, [program])
    assert (
        await pool.fetchval("SELECT version FROM projection_checkpoints WHERE name = 'enrolment'")
        == EnrolmentUpgraded.version
    )
