"""Organisation scoping in the services: staff of an organisation change only its records,
reach only its students (or those taking part in a program of theirs), and every event
records the organisations it belongs to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from bridgework.domain.safeguarding import ClearanceResult
from bridgework.services.attendance import (
    Mark,
    RecordAttendance,
    ScheduleSession,
    record_attendance,
    schedule_session,
)
from bridgework.services.directory import (
    LaunchProgram,
    RegisterMentor,
    RegisterOrganization,
    RegisterStudent,
    launch_program,
    register_mentor,
    register_organization,
    register_student,
)
from bridgework.services.enrolment import EnrollStudent, enroll_student
from bridgework.services.errors import Forbidden
from bridgework.services.mentoring import AssignMentor, assign_mentor
from bridgework.services.partnerships.lifecycle import FormPartnership, form_partnership
from bridgework.services.ports import ORIGIN
from bridgework.services.safeguarding import (
    RecordClearance,
    RecordGuardianConsent,
    record_clearance,
    record_guardian_consent,
)
from support.context import staff, staff_of
from support.log import count_events, read_all
from support.scenario import ADULT

TODAY = datetime.now(UTC).date()


async def org(deps, name, kind):
    return (
        await register_organization(deps, staff(), RegisterOrganization(name=name, kind=kind))
    ).id


async def program_of(deps, *orgs):
    p = await form_partnership(
        deps, staff(), FormPartnership(name="P", organization_ids=list(orgs))
    )
    launched = LaunchProgram(
        partnership_id=p.id,
        name="Club",
        kind="club",
        capacity=5,
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=30),
    )
    return (await launch_program(deps, staff(), launched)).id


async def student_at(deps, school):
    cmd = RegisterStudent(name="Ana", grade=7, school_id=school, date_of_birth=ADULT)
    return (await register_student(deps, staff(), cmd)).id


@pytest.fixture
async def world(deps):
    """School A and business B run program X; school C and business D run program Y."""
    a, b = await org(deps, "A", "school"), await org(deps, "B", "business")
    c, d = await org(deps, "C", "school"), await org(deps, "D", "business")
    return {
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "x": await program_of(deps, a, b),
        "y": await program_of(deps, c, d),
        "ana": await student_at(deps, a),
        "cai": await student_at(deps, c),
    }


async def refused(store, call) -> str:
    before = await count_events(store)
    with pytest.raises(Forbidden) as e:
        await call
    assert await count_events(store) == before  # nothing changed
    return str(e.value)


async def test_a_coordinator_enrols_only_their_students_in_their_programs(deps, store, world):
    w = world

    def of_a():
        return staff_of(w["a"])

    await enroll_student(deps, of_a(), EnrollStudent(program_id=w["x"], student_id=w["ana"]))
    another_school = EnrollStudent(program_id=w["x"], student_id=w["cai"])
    assert "student" in await refused(store, enroll_student(deps, of_a(), another_school))
    another_program = EnrollStudent(program_id=w["y"], student_id=w["ana"])
    assert "program" in await refused(store, enroll_student(deps, of_a(), another_program))
    cmd = EnrollStudent(program_id=w["y"], student_id=w["cai"])
    await refused(store, enroll_student(deps, staff_of(), cmd))  # of no organisation: nothing


async def test_registering_happens_only_within_ones_organisations(deps, store, world):
    w = world

    def of_a():
        return staff_of(w["a"])

    at_c = RegisterStudent(name="Bo", grade=7, school_id=w["c"], date_of_birth=ADULT)
    await refused(store, register_student(deps, of_a(), at_c))
    await register_student(deps, of_a(), msgspec.structs.replace(at_c, school_id=w["a"]))
    await refused(
        store, register_mentor(deps, of_a(), RegisterMentor(name="M", organization_id=w["c"]))
    )
    await refused(
        store, register_organization(deps, of_a(), RegisterOrganization(name="E", kind="school"))
    )
    theirs = FormPartnership(name="Q", organization_ids=[w["c"], w["d"]])
    await refused(store, form_partnership(deps, of_a(), theirs))
    ours = await form_partnership(
        deps, of_a(), FormPartnership(name="R", organization_ids=[w["a"], w["c"]])
    )
    assert ours.id


async def test_a_partner_matches_its_mentor_and_marks_the_schools_students(deps, store, world):
    w = world

    def of_b():
        return staff_of(w["b"])

    await enroll_student(deps, staff(), EnrollStudent(program_id=w["x"], student_id=w["ana"]))
    mentor = (
        await register_mentor(deps, of_b(), RegisterMentor(name="Mo", organization_id=w["b"]))
    ).id
    cleared = RecordClearance(
        mentor_id=mentor,
        check_type="Enhanced background check",
        provider="Valley Screening",
        result=ClearanceResult.CLEAR,
        completed_on=TODAY - timedelta(days=30),
        expires_on=TODAY + timedelta(days=365),
    )
    await record_clearance(deps, of_b(), cleared)  # a partner's own mentor
    await assign_mentor(
        deps,
        staff_of(w["a"]),
        AssignMentor(program_id=w["x"], student_id=w["ana"], mentor_id=mentor),
    )
    session = (
        await schedule_session(
            deps, of_b(), ScheduleSession(program_id=w["x"], held_on=TODAY, title="Night")
        )
    ).id
    marks = [Mark(student_id=w["ana"], status="present")]
    await record_attendance(
        deps, of_b(), RecordAttendance(program_id=w["x"], session_id=session, marks=marks)
    )
    # …but not the school's own records of the student, nor a mentor in another program.
    consent = RecordGuardianConsent(
        student_id=w["ana"], guardian_name="G", relationship="parent", given_on=TODAY
    )
    await refused(store, record_guardian_consent(deps, of_b(), consent))
    await enroll_student(deps, staff(), EnrollStudent(program_id=w["y"], student_id=w["cai"]))
    elsewhere = AssignMentor(program_id=w["y"], student_id=w["cai"], mentor_id=mentor)
    await refused(store, assign_mentor(deps, of_b(), elsewhere))


async def test_every_event_records_the_organisations_it_belongs_to(deps, store, world):
    w = world
    await enroll_student(deps, staff(), EnrollStudent(program_id=w["x"], student_id=w["ana"]))
    scopes = {
        (e.stream_id.partition("-")[0], e.event_type): set(e.scope) for e in await read_all(store)
    }
    assert scopes[("organisation", "OrganisationRegistered")] <= {w["a"], w["b"], w["c"], w["d"]}
    assert scopes[("program", "StudentEnrolled")] == {w["a"], w["b"]}
    assert scopes[("student", "StudentRegistered")] <= {w["a"], w["c"]}
    of_a = await store.read_after(ORIGIN, 1000, scope=frozenset({w["a"]}))
    assert {e.stream_id for e in of_a} >= {
        f"program-{w['x']}",
        f"student-{w['ana']}",
        f"organisation-{w['a']}",
    }
    assert not {e.stream_id for e in of_a} & {f"program-{w['y']}", f"student-{w['cai']}"}
