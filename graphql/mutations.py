"""Mutations: one per command. Each returns a union of its success and the typed errors a
front end can switch on (`errors.py`); only the unexpected ends up in `errors`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, TypeVar
from uuid import UUID, uuid4

import strawberry
from bridgework.graphql.errors import Failure, failure_of, invalid
from bridgework.graphql.types import (
    EnrollmentStatus,
    Info,
    Mentor,
    Organization,
    OrganizationKind,
    Partnership,
    Program,
    ProgramKind,
    Student,
)
from bridgework.services import commands as c
from bridgework.services import handlers as h
from bridgework.services.context import CommandContext
from bridgework.services.errors import InvalidInput
from bridgework.services.unit_of_work import CommandResult, Deps
from bridgework.services.validation import problems
from strawberry.dataloader import DataLoader

IDEMPOTENCY_KEY = (
    "Any string unique to this request (at most 200 characters). Sending the same key again "
    "returns the first result and changes nothing."
)
AS_VIEWED = "As the views show it once they include this write (waits briefly for them)."

V = TypeVar("V")


async def viewed(
    info: Info, position: int, loader: DataLoader[UUID, V | None], id_: str
) -> V | None:
    """Read-your-writes for a payload's object: wait for `position`, then load."""
    await info.context.see_at_least(position)
    return await loader.load(UUID(id_))


# Successes ------------------------------------------------------------------------------


@strawberry.interface
class Recorded:
    """A command that was recorded."""

    position: int = strawberry.field(
        description="The log position written: pass it as `atLeast` to read your own write."
    )


@strawberry.interface
class ProgramChange(Recorded):
    """A command about one student in one program."""

    program_id: strawberry.ID
    student_id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def program(self, info: Info) -> Program | None:
        found = await viewed(info, self.position, info.context.loaders.program, self.program_id)
        return None if found is None else Program.from_view(found)


@strawberry.type
class OrganizationRegistered(Recorded):
    """The organisation is registered."""

    id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def organization(self, info: Info) -> Organization | None:
        found = await viewed(info, self.position, info.context.loaders.organisation, self.id)
        return None if found is None else Organization.from_view(found)


@strawberry.type
class PartnershipFormed(Recorded):
    """The partnership is formed."""

    id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def partnership(self, info: Info) -> Partnership | None:
        found = await viewed(info, self.position, info.context.loaders.partnership, self.id)
        return None if found is None else Partnership.from_view(found)


@strawberry.type
class ProgramLaunched(Recorded):
    """The program is launched and open for enrolment."""

    id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def program(self, info: Info) -> Program | None:
        found = await viewed(info, self.position, info.context.loaders.program, self.id)
        return None if found is None else Program.from_view(found)


@strawberry.type
class StudentRegistered(Recorded):
    """The student is registered."""

    id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def student(self, info: Info) -> Student | None:
        found = await viewed(info, self.position, info.context.loaders.student, self.id)
        return None if found is None else Student.from_view(found)


@strawberry.type
class MentorRegistered(Recorded):
    """The mentor is registered."""

    id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def mentor(self, info: Info) -> Mentor | None:
        found = await viewed(info, self.position, info.context.loaders.mentor, self.id)
        return None if found is None else Mentor.from_view(found)


@strawberry.type
class StudentEnrolled(ProgramChange):
    """The student has a seat, or a place on the waitlist (`status`)."""

    status: EnrollmentStatus = strawberry.field(description="ENROLLED or WAITLISTED.")
    message: str = strawberry.field(description="What happened, worded for the coordinator.")


@strawberry.type
class StudentWithdrawn(ProgramChange):
    """The student left the program; their seat went to the first in line, if any."""


@strawberry.type
class EnrollmentCompleted(ProgramChange):
    """The student completed the program; their seat went to the first in line, if any."""


@strawberry.type
class MentorAssigned(ProgramChange):
    """The mentor now mentors the student in this program."""

    mentor_id: strawberry.ID


@strawberry.type
class ShowcaseRecorded(Recorded):
    """The showcase is recorded."""

    id: strawberry.ID
    program_id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def program(self, info: Info) -> Program | None:
        found = await viewed(info, self.position, info.context.loaders.program, self.program_id)
        return None if found is None else Program.from_view(found)


RegisterOrganizationPayload = Annotated[
    OrganizationRegistered | Failure, strawberry.union("RegisterOrganizationPayload")
]
FormPartnershipPayload = Annotated[
    PartnershipFormed | Failure, strawberry.union("FormPartnershipPayload")
]
LaunchProgramPayload = Annotated[
    ProgramLaunched | Failure, strawberry.union("LaunchProgramPayload")
]
RegisterStudentPayload = Annotated[
    StudentRegistered | Failure, strawberry.union("RegisterStudentPayload")
]
RegisterMentorPayload = Annotated[
    MentorRegistered | Failure, strawberry.union("RegisterMentorPayload")
]
EnrollStudentPayload = Annotated[
    StudentEnrolled | Failure, strawberry.union("EnrollStudentPayload")
]
WithdrawStudentPayload = Annotated[
    StudentWithdrawn | Failure, strawberry.union("WithdrawStudentPayload")
]
CompleteEnrollmentPayload = Annotated[
    EnrollmentCompleted | Failure, strawberry.union("CompleteEnrollmentPayload")
]
AssignMentorPayload = Annotated[MentorAssigned | Failure, strawberry.union("AssignMentorPayload")]
RecordShowcasePayload = Annotated[
    ShowcaseRecorded | Failure, strawberry.union("RecordShowcasePayload")
]

# Inputs ---------------------------------------------------------------------------------
# Ids are `ID` and dates `Date` so GraphQL checks their JSON type; whether the value is a
# real UUID, a name is blank, a capacity in range, is left to `commands.parse`, which names
# the field in a `ValidationError` instead of failing the whole request.


@strawberry.input
class RegisterOrganizationInput:
    """A new organisation."""

    name: str
    kind: OrganizationKind
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class FormPartnershipInput:
    """The partners and what they want to achieve together."""

    name: str
    organization_ids: list[strawberry.ID] = strawberry.field(description="Two to fifty, distinct.")
    goals: list[str] = strawberry.field(default_factory=list, description="Up to twenty.")
    proposed: bool = strawberry.field(
        default=False, description="Only proposed: activate it once the partners have signed."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class LaunchProgramInput:
    """A new program: what, for how many, and when."""

    partnership_id: strawberry.ID
    name: str
    kind: ProgramKind
    capacity: int = strawberry.field(description="Seats, 1 to 10,000.")
    starts_on: date
    ends_on: date = strawberry.field(description="On or after `startsOn`.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RegisterStudentInput:
    """A new student."""

    name: str
    grade: int | None = strawberry.field(default=None, description="0 (kindergarten) to 12.")
    school_id: strawberry.ID | None = None
    date_of_birth: date | None = strawberry.field(
        default=None,
        description="Without it the student counts as under 18: enrolment needs a guardian's "
        "consent.",
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RegisterMentorInput:
    """A mentor from a partner organisation."""

    name: str
    organization_id: strawberry.ID
    capacity: int = strawberry.field(default=3, description="Mentees at once, 1 to 50.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class EnrollStudentInput:
    """A student asking for a seat in a program."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class WithdrawStudentInput:
    """A student leaving a program, and why."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    reason: str = strawberry.field(default="", description="At most 2,000 characters.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class CompleteEnrollmentInput:
    """A student who finished a program."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class AssignMentorInput:
    """Which mentor to match with which enrolled student, in which program."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    mentor_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RecordShowcaseInput:
    """A showcase: its title, date, the students who presented and the partners who came."""

    program_id: strawberry.ID
    title: str
    held_on: date
    presenter_ids: list[strawberry.ID] = strawberry.field(description="Distinct students.")
    attending_organization_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


# Running a command ----------------------------------------------------------------------

C = TypeVar("C", bound=c.Command)
Handler = Callable[[Deps, CommandContext, C], Awaitable[CommandResult]]


def _plain(value: Any) -> Any:
    """An input as plain data for `commands.parse`: enums by value, decimals as text,
    nested inputs as dicts."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "__strawberry_definition__"):
        return {k: _plain(v) for k, v in vars(value).items()}
    return value


async def run(
    info: Info, handler: Handler[C], command_type: type[C], given: object
) -> CommandResult | Failure:
    """Validate the input into a command, run it, and turn expected failures into types."""
    ctx = info.context
    data = {k: _plain(v) for k, v in vars(given).items() if k != "idempotency_key"}
    key: str | None = getattr(given, "idempotency_key", None)
    found = [] if key is None else problems(key, c.IdempotencyKey, "idempotencyKey")
    try:
        command = c.parse(command_type, data)
    except InvalidInput as e:
        return invalid(e.problems + found)
    if found:
        return invalid(found)
    context = CommandContext(
        actor=ctx.actor,
        correlation_id=ctx.correlation_id,
        command_uuid=uuid4(),
        idempotency_key=key,
    )
    try:
        return await handler(ctx.api.deps, context, command)
    except Exception as e:
        if (failure := failure_of(e)) is None:
            raise
        return failure


def _id(value: object) -> strawberry.ID:
    return strawberry.ID(str(value))


@strawberry.type
class Mutation:
    """Every change is a command that appends events; nothing is overwritten."""

    @strawberry.mutation(description="Register a school, business, nonprofit, university, …")
    async def register_organization(
        self, info: Info, input: RegisterOrganizationInput
    ) -> RegisterOrganizationPayload:
        r = await run(info, h.register_organization, c.RegisterOrganization, input)
        if not isinstance(r, CommandResult):
            return r
        return OrganizationRegistered(id=_id(r.id), position=r.position)

    @strawberry.mutation(description="Form a partnership between two or more organisations.")
    async def form_partnership(
        self, info: Info, input: FormPartnershipInput
    ) -> FormPartnershipPayload:
        r = await run(info, h.form_partnership, c.FormPartnership, input)
        if not isinstance(r, CommandResult):
            return r
        return PartnershipFormed(id=_id(r.id), position=r.position)

    @strawberry.mutation(description="Launch a program under a partnership.")
    async def launch_program(self, info: Info, input: LaunchProgramInput) -> LaunchProgramPayload:
        r = await run(info, h.launch_program, c.LaunchProgram, input)
        if not isinstance(r, CommandResult):
            return r
        return ProgramLaunched(id=_id(r.id), position=r.position)

    @strawberry.mutation(description="Register a student, optionally at their school.")
    async def register_student(
        self, info: Info, input: RegisterStudentInput
    ) -> RegisterStudentPayload:
        r = await run(info, h.register_student, c.RegisterStudent, input)
        if not isinstance(r, CommandResult):
            return r
        return StudentRegistered(id=_id(r.id), position=r.position)

    @strawberry.mutation(description="Register a mentor from a partner organisation.")
    async def register_mentor(
        self, info: Info, input: RegisterMentorInput
    ) -> RegisterMentorPayload:
        r = await run(info, h.register_mentor, c.RegisterMentor, input)
        if not isinstance(r, CommandResult):
            return r
        return MentorRegistered(id=_id(r.id), position=r.position)

    @strawberry.mutation(
        description="Enrol a student; when every seat is taken they join the waitlist."
    )
    async def enroll_student(self, info: Info, input: EnrollStudentInput) -> EnrollStudentPayload:
        r = await run(info, h.enroll_student, c.EnrollStudent, input)
        if not isinstance(r, CommandResult):
            return r
        return StudentEnrolled(
            program_id=input.program_id, student_id=input.student_id,
            status=EnrollmentStatus(r.status or "ENROLLED"), message=r.message or "",
            position=r.position,
        )  # fmt: skip

    @strawberry.mutation(
        description="Withdraw a student; their seat goes to the first on the waitlist."
    )
    async def withdraw_student(
        self, info: Info, input: WithdrawStudentInput
    ) -> WithdrawStudentPayload:
        r = await run(info, h.withdraw_student, c.WithdrawStudent, input)
        if not isinstance(r, CommandResult):
            return r
        return StudentWithdrawn(
            program_id=input.program_id, student_id=input.student_id, position=r.position
        )

    @strawberry.mutation(
        description="Mark an enrolled student as having completed the program; their seat "
        "goes to the first on the waitlist."
    )
    async def complete_enrollment(
        self, info: Info, input: CompleteEnrollmentInput
    ) -> CompleteEnrollmentPayload:
        r = await run(info, h.complete_enrollment, c.CompleteEnrollment, input)
        if not isinstance(r, CommandResult):
            return r
        return EnrollmentCompleted(
            program_id=input.program_id, student_id=input.student_id, position=r.position
        )

    @strawberry.mutation(description="Match an enrolled student with a mentor who has room.")
    async def assign_mentor(self, info: Info, input: AssignMentorInput) -> AssignMentorPayload:
        r = await run(info, h.assign_mentor, c.AssignMentor, input)
        if not isinstance(r, CommandResult):
            return r
        return MentorAssigned(
            program_id=input.program_id, student_id=input.student_id,
            mentor_id=input.mentor_id, position=r.position,
        )  # fmt: skip

    @strawberry.mutation(
        description="Record a showcase: students presented their projects to partners."
    )
    async def record_showcase(
        self, info: Info, input: RecordShowcaseInput
    ) -> RecordShowcasePayload:
        r = await run(info, h.record_showcase, c.RecordShowcase, input)
        if not isinstance(r, CommandResult):
            return r
        return ShowcaseRecorded(id=_id(r.id), program_id=input.program_id, position=r.position)
