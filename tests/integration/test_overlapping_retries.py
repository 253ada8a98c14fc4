"""The same command sent several times at once with one idempotency key: every request gets
the first one's result, and the log holds one request's events (on the real store)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from bridgework.domain.attendance import Attendance
from bridgework.services import hours as hr
from bridgework.services.attendance import (
    Mark,
    RecordAttendance,
    ScheduleSession,
    record_attendance,
    schedule_session,
)
from bridgework.services.context import Role
from bridgework.services.directory import RegisterOrganization, register_organization
from bridgework.services.enrolment import (
    EnrollStudent,
    WithdrawStudent,
    enroll_student,
    withdraw_student,
)
from support.context import as_actor, as_person, staff
from support.hours import outbox
from support.scenario import TODAY, a_program, enrol, students

AT_ONCE = 8


async def all_at_once(send, key: str):
    """`send(key)` AT_ONCE times concurrently; every answer, exceptions included."""
    return await asyncio.gather(*(send(key) for _ in range(AT_ONCE)), return_exceptions=True)


async def one_set_of_events(pool, key: str) -> int:
    """How many events the key's command appended, checking they came from one request."""
    rows = await pool.fetch(
        "SELECT metadata::jsonb ->> 'causation_id' AS causation FROM events"
        " WHERE metadata::jsonb ->> 'command_id' = $1",
        key,
    )
    assert len({r["causation"] for r in rows}) == 1, rows
    return len(rows)


def assert_all_the_same(answers):
    failures = [a for a in answers if isinstance(a, BaseException)]
    assert not failures, failures
    assert len(set(answers)) == 1, answers
    assert answers[0].position > 0


async def test_overlapping_enrolments_with_one_key_all_get_the_seat(deps, pool):
    program, _, _ = await a_program(deps, capacity=2)
    (ana,) = await students(deps, 1)

    async def send(key):
        cmd = EnrollStudent(program_id=program, student_id=ana)
        return await enroll_student(deps, staff(key), cmd)

    answers = await all_at_once(send, "enrol-ana")
    assert_all_the_same(answers)
    assert answers[0].status == "ENROLLED"
    assert await one_set_of_events(pool, "enrol-ana") == 1
    assert await send("enrol-ana") == answers[0]  # and a late retry too


async def test_overlapping_enrolments_into_a_full_program_all_get_the_waitlist(deps, pool):
    program, _, _ = await a_program(deps, capacity=1)
    ana, bo = await students(deps, 2)
    await enrol(deps, program, ana)

    async def send(key):
        cmd = EnrollStudent(program_id=program, student_id=bo)
        return await enroll_student(deps, staff(key), cmd)

    answers = await all_at_once(send, "enrol-bo")
    assert_all_the_same(answers)
    assert answers[0].status == "WAITLISTED"
    assert "1st on the waitlist" in (answers[0].message or "")
    assert await one_set_of_events(pool, "enrol-bo") == 1


async def test_overlapping_registrations_with_one_key_register_one_organisation(deps, pool):
    async def send(key):
        cmd = RegisterOrganization(name="Lincoln Middle", kind="school")
        return await register_organization(deps, staff(key), cmd)

    answers = await all_at_once(send, "register-lincoln")
    assert_all_the_same(answers)
    assert await one_set_of_events(pool, "register-lincoln") == 1
    assert await pool.fetchval("SELECT count(*) FROM events") == 1


async def test_overlapping_hours_and_attendance_are_recorded_once(deps, pool):
    program, _, _ = await a_program(deps, capacity=2)
    (ana,) = await students(deps, 1)
    await enrol(deps, program, ana)
    session = await schedule_session(
        deps,
        staff(),
        ScheduleSession(program_id=program, held_on=TODAY, title="Club night"),
    )

    async def hours(key):
        cmd = hr.SubmitHours(
            student_id=ana,
            program_id=program,
            worked_on=TODAY,
            hours=Decimal("3.5"),
            activity="Soldered the drive train",
            supervisor_name="Dana Ortiz",
            supervisor_email="dana@ardent.example",
        )
        ctx = as_person(Role.STUDENT, ana)
        ctx = type(ctx)(
            actor=ctx.actor,
            correlation_id=ctx.correlation_id,
            command_uuid=ctx.command_uuid,
            idempotency_key=key,
        )
        return await hr.submit_hours(deps, ctx, cmd)

    async def attendance(key):
        cmd = RecordAttendance(
            program_id=program,
            session_id=session.id,
            marks=[Mark(student_id=ana, status=Attendance.PRESENT)],
        )
        return await record_attendance(deps, as_actor(Role.ADMINISTRATOR, key), cmd)

    logged = await all_at_once(hours, "hours-monday")
    assert_all_the_same(logged)
    links = [m for m in await outbox(deps.store) if m.dedupe_key.startswith("supervisor-link:")]
    assert len(links) == 1  # the supervisor's link: one, the same for every answer
    assert await one_set_of_events(pool, "hours-monday") >= 1
    marked = await all_at_once(attendance, "register-monday")
    assert_all_the_same(marked)
    assert await one_set_of_events(pool, "register-monday") == 1


@pytest.mark.parametrize("capacity", [1, 3])
async def test_overlapping_withdrawals_withdraw_once(deps, pool, capacity):
    program, _, _ = await a_program(deps, capacity=capacity)
    kids = await students(deps, 2)
    for kid in kids:
        await enrol(deps, program, kid)

    async def send(key):
        cmd = WithdrawStudent(program_id=program, student_id=kids[0], reason="Moved away")
        return await withdraw_student(deps, staff(key), cmd)

    answers = await all_at_once(send, f"withdraw-{capacity}")
    assert_all_the_same(answers)
    # With a waitlist the withdrawal also gives the seat away: still one request's events.
    assert await one_set_of_events(pool, f"withdraw-{capacity}") == (2 if capacity == 1 else 1)


async def test_a_key_reused_for_another_request_is_still_a_conflict_under_overlap(deps):
    program, _, _ = await a_program(deps, capacity=2)
    ana, bo = await students(deps, 2)

    async def send(kid):
        cmd = EnrollStudent(program_id=program, student_id=kid)
        return await enroll_student(deps, staff("one-key"), cmd)

    answers = await asyncio.gather(send(ana), send(bo), return_exceptions=True)
    kinds = sorted(type(a).__name__ for a in answers)
    assert kinds == ["CommandResult", "Conflict"], answers
