"""A small world for integration tests: a partnership with one program, students, a runner."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bridgework.domain.safeguarding import ClearanceResult
from bridgework.domain.student import Demographic
from bridgework.projections.registry import default_projections
from bridgework.projections.runner import ProjectionRunner
from bridgework.services.context import Role
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
from bridgework.services.impact import DemographicAnswer, ReportDemographics, report_demographics
from bridgework.services.partnerships.lifecycle import FormPartnership, form_partnership
from bridgework.services.safeguarding import RecordClearance, record_clearance
from support.context import as_person, staff

TODAY = datetime.now(UTC).date()
ADULT = date(2000, 1, 1)
"""A date of birth that needs no guardian's consent."""


def runner_for(pool, deps, projections=None, batch_size=500) -> ProjectionRunner:
    return ProjectionRunner(
        pool, deps.store, deps.codec, projections or default_projections(), batch_size=batch_size
    )


async def an_organization(deps, name: str, kind: str):
    cmd = RegisterOrganization(name=name, kind=kind)
    return (await register_organization(deps, staff(), cmd)).id


async def a_program(deps, capacity: int):
    orgs = [
        await an_organization(deps, name, kind)
        for name, kind in (("Lincoln Middle", "school"), ("Ardent", "business"))
    ]
    p = await form_partnership(
        deps, staff(), FormPartnership(name="Robotics", organization_ids=orgs)
    )
    program = await launch_program(
        deps,
        staff(),
        LaunchProgram(
            partnership_id=p.id,
            name="Robotics Club",
            kind="club",
            capacity=capacity,
            starts_on=TODAY,
            ends_on=TODAY + timedelta(days=60),
        ),
    )
    return program.id, orgs, p.id


async def students(deps, n: int):
    return [
        (
            await register_student(
                deps, staff(), RegisterStudent(name=f"Student {i}", date_of_birth=ADULT)
            )
        ).id
        for i in range(n)
    ]


async def enrol(deps, program, student):
    cmd = EnrollStudent(program_id=program, student_id=student)
    return await enroll_student(deps, staff(), cmd)


async def cleared_mentor(deps, org, name: str = "Dana Ortiz", capacity: int = 3):
    """A registered mentor with a clear background check, as matching requires."""
    mentor = await register_mentor(
        deps, staff(), RegisterMentor(name=name, organization_id=org, capacity=capacity)
    )
    await record_clearance(
        deps,
        staff(),
        RecordClearance(
            mentor_id=mentor.id,
            check_type="Enhanced background check",
            provider="Valley Screening",
            result=ClearanceResult.CLEAR,
            completed_on=TODAY - timedelta(days=30),
            expires_on=TODAY + timedelta(days=365),
        ),
    )
    return mentor


async def demographics(deps, kid, **answers):
    """The student reports these about themselves (`gender="female"`, …)."""
    cmd = ReportDemographics(
        student_id=kid,
        answers=[DemographicAnswer(field=Demographic(f), value=v) for f, v in answers.items()],
    )
    await report_demographics(deps, as_person(Role.STUDENT, kid), cmd)
