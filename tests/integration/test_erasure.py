"""Erasing a student: afterwards no copy of their personal data is left in the database
(the log, the views, the commands, the snapshots, the outbox), the views show the
placeholder and keep the counts, a rebuild gives the same rows, and the log only grew."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from bridgework.domain.base import replay
from bridgework.domain.errors import RuleViolated
from bridgework.domain.hours import HoursLog
from bridgework.domain.student import Demographic, Student
from bridgework.projections import impact
from bridgework.projections.directory import students
from bridgework.projections.hours import hours_of_students
from bridgework.services import hours as hr
from bridgework.services import snapshots
from bridgework.services.applications import ApplyToProgram, apply_to_program
from bridgework.services.context import Role
from bridgework.services.directory import (
    EraseStudent,
    RegisterStudent,
    erase_student,
    register_student,
)
from bridgework.services.impact import DemographicAnswer, ReportDemographics, report_demographics
from bridgework.services.safeguarding import RecordGuardianConsent, record_guardian_consent
from support.context import as_actor, as_person, staff
from support.hours import mailed_token
from support.scenario import TODAY, a_program, enrol, runner_for
from support.scenario import students as some_students
from support.views import view_digests

NAME = "Zephyrine Quillfeather"
BORN = date(2011, 7, 23)
GUARDIAN = "Orlagh Wrenbury"
SUPERVISOR = "Thaddeus Pimblett"
EMAIL = "thaddeus.pimblett@ardent.example"
DISTINCTIVE = [
    NAME,
    "Zephyrine",
    "Quillfeather",
    BORN.isoformat(),
    GUARDIAN,
    "Wrenbury",
    "grand-aunt",
    SUPERVISOR,
    "Pimblett",
    EMAIL,
    "Calibrated the spindle lathe",
    "I dream of building satellites",
    "two-spirit",
]


async def dump(pool) -> str:
    """Every row of every table, as JSON text."""
    tables = await pool.fetch(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
    )
    rows = []
    for (table,) in tables:
        found = await pool.fetch(f'SELECT row_to_json(t)::text FROM "{table}" AS t')  # noqa: S608
        rows += [f"{table}: {r[0]}" for r in found]
    return "\n".join(rows)


async def a_student_with_a_story(deps, program, school):
    """Registered, consented, applied, enrolled, hours verified and approved, demographics."""
    student = (
        await register_student(
            deps,
            staff(),
            RegisterStudent(name=NAME, grade=9, date_of_birth=BORN, school_id=school),
        )
    ).id
    consent = RecordGuardianConsent(
        student_id=student, guardian_name=GUARDIAN, relationship="grand-aunt", given_on=TODAY
    )
    await record_guardian_consent(deps, staff(), consent)
    statement = ApplyToProgram(
        program_id=program, student_id=student, statement="I dream of building satellites"
    )
    await apply_to_program(deps, as_person(Role.STUDENT, student), statement)
    await enrol(deps, program, student)
    logged = await hr.submit_hours(
        deps,
        as_person(Role.STUDENT, student),
        hr.SubmitHours(
            student_id=student,
            program_id=program,
            worked_on=TODAY,
            hours=Decimal("4.5"),
            activity="Calibrated the spindle lathe",
            supervisor_name=SUPERVISOR,
            supervisor_email=EMAIL,
        ),
    )
    token = await mailed_token(deps, logged.id)
    verify = hr.VerifyHours(token=token, supervisor_name=SUPERVISOR, verified=True)
    await hr.verify_hours(deps, as_actor(Role.SUPERVISOR), verify)
    await hr.approve_hours(deps, staff(), hr.ApproveHours(log_id=logged.id))
    answers = [DemographicAnswer(field=Demographic.GENDER, value="two-spirit")]
    await report_demographics(
        deps,
        as_person(Role.STUDENT, student),
        ReportDemographics(student_id=student, answers=answers),
    )
    return student, logged.id


async def snapshot_of(deps, stream_id):
    aggregate = replay(deps.codec.decode(e) for e in await deps.store.load(stream_id))
    await deps.store.save_snapshot(snapshots.take(stream_id, aggregate))


async def test_an_erased_student_leaves_no_personal_data_anywhere_and_every_count_stays(deps, pool):
    program, orgs, partnership = await a_program(deps, capacity=5)
    for other in await some_students(deps, 2):
        await enrol(deps, program, other)
    student, log_id = await a_student_with_a_story(deps, program, orgs[0])
    await snapshot_of(deps, Student.stream_id(student))
    await snapshot_of(deps, HoursLog.stream_id(log_id))
    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()
    period = (TODAY - timedelta(days=1), TODAY + timedelta(days=90))
    before = await impact.impact_report(pool, partnership, *period)
    assert NAME in await dump(pool)  # the views hold it, and the outbox's mail
    log_before = await pool.fetch("SELECT position, event_id, payload::text FROM events")

    erased = await erase_student(
        deps, staff(), EraseStudent(student_id=student, reason="Asked for under GDPR 17")
    )
    await runner.catch_up()

    everything = (await dump(pool)).lower()
    left = [line for line in everything.splitlines() if any(v.lower() in line for v in DISTINCTIVE)]
    assert not left, left
    [view] = (await students(pool, [student])).values()
    assert (view.name, view.date_of_birth) == ("erased", None)
    [entry] = (await hours_of_students(pool, [student]))[student]
    assert (entry.supervisor_name, entry.activity, entry.hours) == ("erased", "erased", 4.5)
    after = await impact.impact_report(pool, partnership, *period)
    assert after.totals == before.totals
    assert await pool.fetchval("SELECT count(*) FROM snapshots") == 0
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM data_keys WHERE wrapped_key IS NULL AND destroyed_at IS NOT NULL"
        )
        == 2
    )  # the student's and their hours entry's

    # The log only grew, and what it held is as it was.
    log_after = await pool.fetch("SELECT position, event_id, payload::text FROM events")
    assert log_after[: len(log_before)] == log_before
    assert [r[0] for r in log_after[len(log_before) :]] == [erased.position]

    live = await view_digests(pool)
    for name in runner.names():
        await runner.rebuild(name)
    assert await view_digests(pool) == live


async def test_an_erasure_is_refused_twice_and_with_a_reason_naming_the_student(deps):
    student = (await register_student(deps, staff(), RegisterStudent(name=NAME))).id
    with pytest.raises(RuleViolated, match="must not name the student"):
        await erase_student(deps, staff(), EraseStudent(student_id=student, reason=f"{NAME} asked"))
    await erase_student(deps, staff(), EraseStudent(student_id=student, reason="asked"))
    with pytest.raises(RuleViolated, match="already erased"):
        await erase_student(deps, staff(), EraseStudent(student_id=student, reason="again"))
