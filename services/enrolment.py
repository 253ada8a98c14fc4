"""Enrolment: who a program is for, taking a seat (or a place in line), leaving, completing.

`admit` is the one gate every way into a program passes (a direct enrolment, an accepted
application); `leave` the one way out (withdrawal, completion, a consent withdrawn); and
`participant` the one check that a student held a seat, for what credits a program.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from bridgework.domain.eligibility import Applicant
from bridgework.domain.program import Program
from bridgework.domain.student import Student
from bridgework.services.bus import Handlers
from bridgework.services.command import Command, Grade, Text
from bridgework.services.errors import InvalidInput
from bridgework.services.mentoring import release_mentor
from bridgework.services.unit_of_work import CommandResult, Deps, Session, execute

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext

HANDLERS = Handlers()

Age = Annotated[int, msgspec.Meta(ge=3, le=120)]


class EnrollStudent(Command):
    program_id: UUID
    student_id: UUID


class WithdrawStudent(Command):
    program_id: UUID
    student_id: UUID
    reason: Text = ""


class CompleteEnrollment(Command):
    program_id: UUID
    student_id: UUID


class SetEligibility(Command):
    program_id: UUID
    min_grade: Grade | None = None
    max_grade: Grade | None = None
    min_age: Age | None = None
    max_age: Age | None = None
    prerequisite_ids: Annotated[list[UUID], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )

    def check(self) -> None:
        for field, low, high in (
            ("maxGrade", self.min_grade, self.max_grade),
            ("maxAge", self.min_age, self.max_age),
        ):
            if low is not None and high is not None and high < low:
                raise InvalidInput(
                    field, f"{field} must not be below {field.replace('max', 'min')}"
                )
        if len(set(self.prerequisite_ids)) != len(self.prerequisite_ids):
            raise InvalidInput("prerequisiteIds", "prerequisiteIds lists a program twice")


async def applicant(s: Session, program: Program, student: Student) -> Applicant:
    """What the program's eligibility rules look at, prerequisites completed included."""
    completed = [
        p.id
        for p in [await s.get(Program, p, "programId") for p in program.prerequisite_ids]
        if student.id in p.completed
    ]
    return Applicant(
        name=student.name,
        grade=student.grade,
        date_of_birth=student.date_of_birth,
        completed=frozenset(completed),
    )


def seated(program: Program, student: Student) -> CommandResult:
    """The reply to a student joining: a seat, or their place in line."""
    if student.id in program.waiting:
        notice = program.waitlist_notice(student.id, student.name)
        return CommandResult(id=program.id, status="WAITLISTED", message=notice, about=student.id)
    message = f"{student.name} is enrolled in '{program.name}'"
    return CommandResult(id=program.id, status="ENROLLED", message=message, about=student.id)


async def admit(
    s: Session, program_id: UUID, student_id: UUID, *, through_application: bool
) -> CommandResult:
    """The enrolment gate: the program's rules, a guardian's consent for a minor, then a
    seat or a place on the waitlist (accepting the student's open application if they
    came `through_application`)."""
    program = await s.get(Program, program_id, "programId")
    student = await s.get(Student, student_id, "studentId")
    program.check_eligible(await applicant(s, program, student))
    student.rely_on_consent(program.id, s.now)
    join = program.accept if through_application else program.enrol
    join(student_id=student.id, student_name=student.name, at=s.now)
    return seated(program, student)


async def leave(s: Session, program: Program, student: Student, reason: str | None) -> None:
    """Take a student out of a program and free their mentor: withdrawn (from a seat or the
    waitlist) with `reason`, or, when `reason` is None, having completed it."""
    mentor_id = program.mentor_of.get(student.id)
    if reason is None:
        program.complete(student_id=student.id, student_name=student.name, at=s.now)
    else:
        program.withdraw(student_id=student.id, student_name=student.name, reason=reason, at=s.now)
    await release_mentor(s, program, student, mentor_id)


async def participant(s: Session, program_id: UUID, student: Student) -> Program:
    """The program, which the student must have held a seat in (what credits a program —
    hours, surveys, outcomes — needs that)."""
    program = await s.get(Program, program_id, "programId")
    program.require_participant(student.id, student.name)
    return program


@HANDLERS.of(EnrollStudent)
async def enroll_student(deps: Deps, ctx: CommandContext, cmd: EnrollStudent) -> CommandResult:
    """Enrol a student; a full program puts them on its waitlist instead."""

    async def decide(s: Session) -> CommandResult:
        return await admit(s, cmd.program_id, cmd.student_id, through_application=False)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(WithdrawStudent)
async def withdraw_student(deps: Deps, ctx: CommandContext, cmd: WithdrawStudent) -> CommandResult:
    """Withdraw a student; their seat goes to the first student on the waitlist."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        await leave(s, program, student, cmd.reason)
        return CommandResult(id=program.id, status="WITHDRAWN")

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(CompleteEnrollment)
async def complete_enrollment(
    deps: Deps, ctx: CommandContext, cmd: CompleteEnrollment
) -> CommandResult:
    """Mark an enrolled student as having completed the program; their mentor is freed."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        await leave(s, program, student, None)
        return CommandResult(id=program.id, status="COMPLETED")

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(SetEligibility)
async def set_eligibility(deps: Deps, ctx: CommandContext, cmd: SetEligibility) -> CommandResult:
    """Say who a program is for: grades, ages on its start date, programs completed first."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        for i, p in enumerate(cmd.prerequisite_ids):
            await s.get(Program, p, f"prerequisiteIds[{i}]")
        program.set_eligibility(
            min_grade=cmd.min_grade,
            max_grade=cmd.max_grade,
            min_age=cmd.min_age,
            max_age=cmd.max_age,
            prerequisite_ids=tuple(cmd.prerequisite_ids),
            at=s.now,
        )
        return CommandResult(id=program.id)

    return await execute(deps, ctx, cmd, decide)
