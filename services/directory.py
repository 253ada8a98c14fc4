"""The directory: organisations, the programs partnerships launch, students and mentors.

Each handler checks that what the command refers to exists (naming the input field when
it does not) and leaves business rules to the aggregates.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar
from uuid import UUID

from bridgework.domain.mentor import Mentor
from bridgework.domain.organisation import Organisation, OrganisationKind
from bridgework.domain.partnership import Partnership
from bridgework.domain.program import Program, ProgramKind
from bridgework.domain.student import Student
from bridgework.services.bus import Handlers
from bridgework.services.command import Capacity, Command, Grade, MentorCapacity, Name, Reason
from bridgework.services.context import Role
from bridgework.services.errors import Forbidden, InvalidInput
from bridgework.services.unit_of_work import CommandResult, Deps, Session, execute

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext

HANDLERS = Handlers()


class RegisterOrganization(Command):
    """The deployment's administrators register organisations (and appoint their first
    coordinators); an organisation's staff act within it."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMINISTRATOR})
    name: Name
    kind: OrganisationKind


class LaunchProgram(Command):
    partnership_id: UUID
    name: Name
    kind: ProgramKind
    capacity: Capacity
    starts_on: date
    ends_on: date

    def check(self) -> None:
        if self.ends_on < self.starts_on:
            raise InvalidInput("endsOn", "endsOn must not be before startsOn")


class RegisterStudent(Command):
    name: Name
    grade: Grade | None = None
    school_id: UUID | None = None
    date_of_birth: date | None = None
    """Without it the student counts as a minor: enrolment needs a guardian's consent."""

    def check(self) -> None:
        if self.date_of_birth is not None and self.date_of_birth.year < 1900:  # noqa: PLR2004
            raise InvalidInput("dateOfBirth", "dateOfBirth must be after 1900")


class RegisterMentor(Command):
    name: Name
    organization_id: UUID
    capacity: MentorCapacity = 3


@HANDLERS.of(RegisterOrganization)
async def register_organization(
    deps: Deps, ctx: CommandContext, cmd: RegisterOrganization
) -> CommandResult:
    """Register a school, business, nonprofit, university, community group or agency."""

    async def decide(s: Session) -> CommandResult:
        org = Organisation.register(id=deps.new_id(), name=cmd.name, kind=cmd.kind, at=s.now)
        s.add(org)
        return CommandResult(id=org.id)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(LaunchProgram)
async def launch_program(deps: Deps, ctx: CommandContext, cmd: LaunchProgram) -> CommandResult:
    """Launch a program under a partnership."""

    async def decide(s: Session) -> CommandResult:
        partnership = await s.get(Partnership, cmd.partnership_id, "partnershipId")
        program_id = deps.new_id()
        partnership.add_program(program_id=program_id, name=cmd.name, at=s.now)
        program = Program.launch(
            id=program_id,
            partnership_id=cmd.partnership_id,
            organisation_ids=partnership.organisation_ids,
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


@HANDLERS.of(RegisterStudent)
async def register_student(deps: Deps, ctx: CommandContext, cmd: RegisterStudent) -> CommandResult:
    """Register a student, optionally at a school."""

    async def decide(s: Session) -> CommandResult:
        if cmd.school_id is not None:
            await s.get(Organisation, cmd.school_id, "schoolId")
        student = Student.register(
            id=deps.new_id(),
            name=cmd.name,
            grade=cmd.grade,
            school_id=cmd.school_id,
            date_of_birth=cmd.date_of_birth,
            at=s.now,
        )
        s.add(student)
        return CommandResult(id=student.id)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(RegisterMentor)
async def register_mentor(deps: Deps, ctx: CommandContext, cmd: RegisterMentor) -> CommandResult:
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


class EraseStudent(Command):
    student_id: UUID
    reason: Reason
    """Kept after the erasure as its audit, so it must not name the student."""


@HANDLERS.of(EraseStudent)
async def erase_student(deps: Deps, ctx: CommandContext, cmd: EraseStudent) -> CommandResult:
    """Erase a student's personal data (their right to erasure): the store destroys their
    data keys with the `StudentErased` event, so every personal field of theirs in the log
    reads "erased" from then on; the views scrub theirs on that event and keep the counts.
    A coordinator may (one scoped to organisations: only of the student's school)."""

    async def decide(s: Session) -> CommandResult:
        student = await s.get(Student, cmd.student_id, "studentId")
        scoped = ctx.actor.role is not Role.ADMINISTRATOR and ctx.actor.organisations
        if scoped and student.school_id not in ctx.actor.organisations:
            raise Forbidden(f"{ctx.actor.id!r} is not staff of this student's school")
        student.erase(reason=cmd.reason, at=s.now)
        return CommandResult(id=student.id)

    result = await execute(deps, ctx, cmd, decide)
    # Cached aggregates of this process (the student's hours entries) hold their values in
    # clear; the next command reloads them from the log, where they are erased.
    deps.streams.cache.clear()
    return result
