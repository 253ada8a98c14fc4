"""Applications: a student asks for a place; the rules or a coordinator decide.

applied → accepted (a seat, or a place in line) | denied (with a reason) | refused (the
eligibility rules leave the student out; recorded, naming the rule).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar
from uuid import UUID

from bridgework.domain.program import Program
from bridgework.domain.student import Student
from bridgework.services.authority import authorise_self
from bridgework.services.bus import Handlers
from bridgework.services.command import Command, Reason, Text
from bridgework.services.context import Role
from bridgework.services.enrolment import admit, applicant
from bridgework.services.unit_of_work import (
    CommandResult,
    Deps,
    Session,
    execute,
)

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext

HANDLERS = Handlers()


class ApplyToProgram(Command):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COORDINATOR, Role.STUDENT})

    program_id: UUID
    student_id: UUID
    statement: Text = ""
    """Why the student wants to take part, in their words."""


class AcceptApplication(Command):
    program_id: UUID
    student_id: UUID


class DenyApplication(Command):
    program_id: UUID
    student_id: UUID
    reason: Reason


@HANDLERS.of(ApplyToProgram)
async def apply_to_program(deps: Deps, ctx: CommandContext, cmd: ApplyToProgram) -> CommandResult:
    """Apply for a place. A student may apply only for themselves (their token names their
    student id)."""
    authorise_self(ctx, Role.STUDENT, cmd.student_id, "apply only for themselves")

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        refused = program.apply(
            student_id=student.id,
            student_name=student.name,
            statement=cmd.statement,
            applicant=await applicant(s, program, student),
            at=s.now,
        )
        if refused is not None:
            message = f"{refused.rule}: {refused.message}"
            return CommandResult(id=program.id, status="REFUSED", message=message, about=student.id)
        message = f"{student.name} applied to '{program.name}'"
        return CommandResult(id=program.id, status="APPLIED", message=message, about=student.id)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(AcceptApplication)
async def accept_application(
    deps: Deps, ctx: CommandContext, cmd: AcceptApplication
) -> CommandResult:
    """Accept an open application: a seat, or a place on the waitlist when the program is full.
    The rules are checked again (they may have changed), and a minor needs a guardian's consent."""

    async def decide(s: Session) -> CommandResult:
        return await admit(s, cmd.program_id, cmd.student_id, through_application=True)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(DenyApplication)
async def deny_application(deps: Deps, ctx: CommandContext, cmd: DenyApplication) -> CommandResult:
    """Turn down an open application, with the reason the student will be given."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        program.deny(student_id=student.id, student_name=student.name, reason=cmd.reason, at=s.now)
        return CommandResult(id=program.id, status="DENIED", message=cmd.reason, about=student.id)

    return await execute(deps, ctx, cmd, decide)
