"""Applications sent the way a student applies and a coordinator decides."""

from __future__ import annotations

from bridgework.services import applications as ap
from bridgework.services.context import Role
from support.context import as_person, staff


async def apply(deps, program, student, ctx=None, statement="I love robots"):
    cmd = ap.ApplyToProgram(program_id=program, student_id=student, statement=statement)
    return await ap.apply_to_program(deps, ctx or as_person(Role.STUDENT, student), cmd)


async def accept(deps, program, student):
    cmd = ap.AcceptApplication(program_id=program, student_id=student)
    return await ap.accept_application(deps, staff(), cmd)


async def deny(deps, program, student, reason):
    cmd = ap.DenyApplication(program_id=program, student_id=student, reason=reason)
    return await ap.deny_application(deps, staff(), cmd)
