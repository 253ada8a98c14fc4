"""Students of a given age and grade, and their guardians' consent."""

from __future__ import annotations

from datetime import timedelta

from bridgework.services.directory import RegisterStudent, register_student
from bridgework.services.safeguarding import RecordGuardianConsent, record_guardian_consent
from support.context import staff
from support.scenario import TODAY


async def a_student(deps, name, *, years: int | None, grade: int | None = 10):
    born = None if years is None else TODAY - timedelta(days=365 * years + 40)
    cmd = RegisterStudent(name=name, grade=grade, date_of_birth=born)
    return (await register_student(deps, staff(), cmd)).id


async def consent(deps, student, program=None):
    cmd = RecordGuardianConsent(
        student_id=student,
        program_id=program,
        guardian_name="Rosa Lima",
        relationship="mother",
        given_on=TODAY,
    )
    return (await record_guardian_consent(deps, staff(), cmd)).id
