"""One async handler per command: authorise → load → decide → append → position.

Each handler checks that what the command refers to exists (naming the input field when
it does not) and leaves business rules to the aggregates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.domain.mentor import Mentor
from bridgework.domain.organisation import Organisation
from bridgework.domain.partnership import Partnership
from bridgework.domain.program import Program
from bridgework.domain.student import Applicant, Student
from bridgework.services.unit_of_work import CommandResult, Deps, Session, execute

if TYPE_CHECKING:
    from bridgework.services import commands as c
    from bridgework.services.context import CommandContext


async def register_organization(
    deps: Deps, ctx: CommandContext, cmd: c.RegisterOrganization
) -> CommandResult:
    """Register a school, business, nonprofit, university, community group or agency."""

    async def decide(s: Session) -> CommandResult:
        org = Organisation.register(id=deps.new_id(), name=cmd.name, kind=cmd.kind, at=s.now)
        s.add(org)
        return CommandResult(id=org.id)

    return await execute(deps, ctx, cmd, decide)


async def form_partnership(
    deps: Deps, ctx: CommandContext, cmd: c.FormPartnership
) -> CommandResult:
    """Form a partnership between two or more registered organisations (active, or proposed)."""

    async def decide(s: Session) -> CommandResult:
        for i, org_id in enumerate(cmd.organization_ids):
            await s.get(Organisation, org_id, f"organizationIds[{i}]")
        partnership = Partnership.form(
            id=deps.new_id(),
            name=cmd.name,
            organisation_ids=tuple(cmd.organization_ids),
            goals=tuple(cmd.goals),
            at=s.now,
            proposed=cmd.proposed,
        )
        s.add(partnership)
        return CommandResult(id=partnership.id)

    return await execute(deps, ctx, cmd, decide)


async def launch_program(deps: Deps, ctx: CommandContext, cmd: c.LaunchProgram) -> CommandResult:
    """Launch a program under a partnership."""

    async def decide(s: Session) -> CommandResult:
        partnership = await s.get(Partnership, cmd.partnership_id, "partnershipId")
        program_id = deps.new_id()
        partnership.add_program(program_id=program_id, name=cmd.name, at=s.now)
        program = Program.launch(
            id=program_id,
            partnership_id=cmd.partnership_id,
            name=cmd.name,
            kind=cmd.kind,
            capacity=cmd.capacity,
            starts_on=cmd.starts_on,
            ends_on=cmd.ends_on,
            at=s.now,
        )
        s.add(program)
        return CommandResult(id=program.id)

    return await execute(deps, ctx, cmd, decide)


async def register_student(
    deps: Deps, ctx: CommandContext, cmd: c.RegisterStudent
) -> CommandResult:
    """Register a student, optionally at a school."""

    async def decide(s: Session) -> CommandResult:
        if cmd.school_id is not None:
            await s.get(Organisation, cmd.school_id, "schoolId")
        student = Student.register(
            id=deps.new_id(), name=cmd.name, grade=cmd.grade, school_id=cmd.school_id,
            date_of_birth=cmd.date_of_birth, at=s.now,
        )  # fmt: skip
        s.add(student)
        return CommandResult(id=student.id)

    return await execute(deps, ctx, cmd, decide)


async def register_mentor(deps: Deps, ctx: CommandContext, cmd: c.RegisterMentor) -> CommandResult:
    """Register a mentor from a partner organisation."""

    async def decide(s: Session) -> CommandResult:
        await s.get(Organisation, cmd.organization_id, "organizationId")
        mentor = Mentor.register(
            id=deps.new_id(),
            name=cmd.name,
            organisation_id=cmd.organization_id,
            capacity=cmd.capacity,
            at=s.now,
        )
        s.add(mentor)
        return CommandResult(id=mentor.id)

    return await execute(deps, ctx, cmd, decide)


async def enroll_student(deps: Deps, ctx: CommandContext, cmd: c.EnrollStudent) -> CommandResult:
    """Enrol a student; a full program puts them on its waitlist instead."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        program.check_eligible(await applicant(s, program, student))
        student.rely_on_consent(program.id, s.now)
        program.enrol(student_id=student.id, student_name=student.name, at=s.now)
        return seated(program, student)

    return await execute(deps, ctx, cmd, decide)


async def applicant(s: Session, program: Program, student: Student) -> Applicant:
    """What the program's eligibility rules look at, prerequisites completed included."""
    completed = [
        p.id
        for p in [await s.get(Program, p, "programId") for p in program.prerequisite_ids]
        if student.id in p.completed
    ]
    return Applicant(
        name=student.name, grade=student.grade, date_of_birth=student.date_of_birth,
        completed=frozenset(completed),
    )  # fmt: skip


def seated(program: Program, student: Student) -> CommandResult:
    """The reply to a student joining: a seat, or their place in line."""
    if student.id in program.waitlist:
        notice = program.waitlist_notice(student.id, student.name)
        return CommandResult(id=program.id, status="WAITLISTED", message=notice)
    message = f"{student.name} is enrolled in '{program.name}'"
    return CommandResult(id=program.id, status="ENROLLED", message=message)


async def leave(s: Session, program: Program, student: Student, reason: str) -> None:
    """Withdraw a student from a program (or its waitlist) and free their mentor."""
    mentor_id = program.mentor_of.get(student.id)
    program.withdraw(student_id=student.id, student_name=student.name, reason=reason, at=s.now)
    if mentor_id is not None:
        mentor = await s.get(Mentor, mentor_id, "studentId")
        mentor.release_mentee(program_id=program.id, student_id=student.id, at=s.now)


async def withdraw_student(
    deps: Deps, ctx: CommandContext, cmd: c.WithdrawStudent
) -> CommandResult:
    """Withdraw a student; their seat goes to the first student on the waitlist."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        await leave(s, program, student, cmd.reason)
        return CommandResult(id=program.id, status="WITHDRAWN")

    return await execute(deps, ctx, cmd, decide)


async def complete_enrollment(
    deps: Deps, ctx: CommandContext, cmd: c.CompleteEnrollment
) -> CommandResult:
    """Mark an enrolled student as having completed the program; their mentor is freed."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        mentor_id = program.mentor_of.get(student.id)
        program.complete(student_id=student.id, student_name=student.name, at=s.now)
        if mentor_id is not None:
            mentor = await s.get(Mentor, mentor_id, "studentId")
            mentor.release_mentee(program_id=program.id, student_id=student.id, at=s.now)
        return CommandResult(id=program.id, status="COMPLETED")

    return await execute(deps, ctx, cmd, decide)


async def assign_mentor(deps: Deps, ctx: CommandContext, cmd: c.AssignMentor) -> CommandResult:
    """Match an enrolled student with a mentor who has room; both streams change together."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        mentor = await s.get(Mentor, cmd.mentor_id, "mentorId")
        program.assign_mentor(
            student_id=student.id,
            student_name=student.name,
            mentor_id=mentor.id,
            mentor_name=mentor.name,
            at=s.now,
        )
        mentor.take_mentee(program_id=program.id, student_id=student.id, at=s.now)
        return CommandResult(id=program.id)

    return await execute(deps, ctx, cmd, decide)


async def record_showcase(deps: Deps, ctx: CommandContext, cmd: c.RecordShowcase) -> CommandResult:
    """Record a showcase where a program's students presented their projects to partners."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        partnership = await s.get(Partnership, program.partnership_id, "programId")
        # Presenters must be the program's students and guests its partners, which the
        # program checks; that also proves they exist without loading each one.
        showcase_id = deps.new_id()
        program.record_showcase(
            showcase_id=showcase_id,
            title=cmd.title,
            held_on=cmd.held_on,
            presenter_ids=tuple(cmd.presenter_ids),
            attending_organisation_ids=tuple(cmd.attending_organization_ids),
            partner_ids=frozenset(partnership.organisation_ids),
            at=s.now,
        )
        return CommandResult(id=showcase_id)

    return await execute(deps, ctx, cmd, decide)
