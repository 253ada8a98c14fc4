"""Mutations: one per command. Each returns a union of its success and the typed errors a
front end can switch on; only the unexpected ends up in `errors`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from enum import Enum
from typing import Annotated, Any, TypeVar
from uuid import uuid4

import strawberry
from bridgework.domain.errors import RuleViolated
from bridgework.graphql.types import Info, OrganizationKind, ProgramKind
from bridgework.services import commands as c
from bridgework.services import handlers as h
from bridgework.services.context import CommandContext
from bridgework.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from bridgework.services.unit_of_work import CommandResult, Deps

from graphql import GraphQLError

MAX_IDEMPOTENCY_KEY = 200
IDEMPOTENCY_KEY = (
    "Any string unique to this request (at most 200 characters). Sending the same key again "
    "returns the first result and changes nothing."
)

# Errors ---------------------------------------------------------------------------------


@strawberry.interface(description="An expected failure: nothing was changed.")
class UserError:
    message: str


@strawberry.type(description="An input field has a value that is not allowed.")
class ValidationError(UserError):
    field: str = strawberry.field(description="The input field, e.g. `endsOn` or `ids[2]`.")


@strawberry.type(description="An id in the input refers to nothing of the expected kind.")
class NotFoundError(UserError):
    field: str = strawberry.field(description="The input field that holds the unknown id.")


@strawberry.type(description="The request collided with other changes or reused a key.")
class ConflictError(UserError):
    pass


@strawberry.type(description="A program rule refused the change; `rule` is a stable code.")
class RuleViolationError(UserError):
    rule: str


@strawberry.type(description="The actor may not do this.")
class ForbiddenError(UserError):
    pass


Failure = ValidationError | NotFoundError | ConflictError | RuleViolationError | ForbiddenError

# Successes ------------------------------------------------------------------------------


@strawberry.interface(description="A command that was recorded.")
class Recorded:
    position: int = strawberry.field(
        description="The log position written: pass it as `atLeast` to read your own write."
    )


@strawberry.type
class OrganizationRegistered(Recorded):
    id: strawberry.ID


@strawberry.type
class PartnershipFormed(Recorded):
    id: strawberry.ID


@strawberry.type
class ProgramLaunched(Recorded):
    id: strawberry.ID


@strawberry.type
class StudentRegistered(Recorded):
    id: strawberry.ID


@strawberry.type
class MentorRegistered(Recorded):
    id: strawberry.ID


@strawberry.type(description="The student has a seat, or a place on the waitlist (`status`).")
class StudentEnrolled(Recorded):
    program_id: strawberry.ID
    student_id: strawberry.ID
    status: str = strawberry.field(description="ENROLLED or WAITLISTED.")
    message: str


@strawberry.type
class StudentWithdrawn(Recorded):
    program_id: strawberry.ID
    student_id: strawberry.ID


@strawberry.type
class EnrollmentCompleted(Recorded):
    program_id: strawberry.ID
    student_id: strawberry.ID


@strawberry.type
class MentorAssigned(Recorded):
    program_id: strawberry.ID
    student_id: strawberry.ID
    mentor_id: strawberry.ID


@strawberry.type
class ShowcaseRecorded(Recorded):
    id: strawberry.ID
    program_id: strawberry.ID


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


@strawberry.input
class RegisterOrganizationInput:
    name: str
    kind: OrganizationKind
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class FormPartnershipInput:
    name: str
    organization_ids: list[strawberry.ID] = strawberry.field(description="Two or more.")
    goals: list[str] = strawberry.field(default_factory=list)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class LaunchProgramInput:
    partnership_id: strawberry.ID
    name: str
    kind: ProgramKind
    capacity: int = strawberry.field(description="Seats, 1 to 10,000.")
    starts_on: date
    ends_on: date
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RegisterStudentInput:
    name: str
    grade: int | None = strawberry.field(default=None, description="0 (kindergarten) to 12.")
    school_id: strawberry.ID | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RegisterMentorInput:
    name: str
    organization_id: strawberry.ID
    capacity: int = strawberry.field(default=3, description="Mentees at once, 1 to 50.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class EnrollmentInput:
    program_id: strawberry.ID
    student_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class WithdrawStudentInput:
    program_id: strawberry.ID
    student_id: strawberry.ID
    reason: str = ""
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class AssignMentorInput:
    program_id: strawberry.ID
    student_id: strawberry.ID
    mentor_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RecordShowcaseInput:
    program_id: strawberry.ID
    title: str
    held_on: date
    presenter_ids: list[strawberry.ID]
    attending_organization_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


# Running a command ----------------------------------------------------------------------

C = TypeVar("C", bound=c.Command)
Handler = Callable[[Deps, CommandContext, C], Awaitable[CommandResult]]


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


async def run(  # noqa: PLR0911 - one return per kind of failure
    info: Info, handler: Handler[C], command_type: type[C], given: object
) -> CommandResult | Failure:
    """Validate the input into a command, run it, and turn expected failures into types."""
    ctx = info.context
    if ctx.header_problem:
        raise GraphQLError(ctx.header_problem, extensions={"code": "BAD_REQUEST_HEADER"})
    data = {k: _plain(v) for k, v in vars(given).items() if k != "idempotency_key"}
    key: str | None = getattr(given, "idempotency_key", None)
    if key is not None and not 0 < len(key) <= MAX_IDEMPOTENCY_KEY:
        return ValidationError(
            field="idempotencyKey",
            message=f"idempotencyKey must be 1 to {MAX_IDEMPOTENCY_KEY} characters",
        )
    try:
        command = c.parse(command_type, data)
        context = CommandContext(
            actor=ctx.actor,
            correlation_id=ctx.correlation_id,
            command_uuid=uuid4(),
            idempotency_key=key,
        )
        return await handler(ctx.api.deps, context, command)
    except InvalidInput as e:
        return ValidationError(message=e.message, field=e.field)
    except NotFound as e:
        return NotFoundError(message=e.message, field=e.field or "")
    except RuleViolated as e:
        return RuleViolationError(message=str(e), rule=e.rule)
    except Conflict as e:
        return ConflictError(message=e.message)
    except Forbidden as e:
        return ForbiddenError(message=e.message)


def _id(value: object) -> strawberry.ID:
    return strawberry.ID(str(value))


@strawberry.type
class Mutation:
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
    async def enroll_student(self, info: Info, input: EnrollmentInput) -> EnrollStudentPayload:
        r = await run(info, h.enroll_student, c.EnrollStudent, input)
        if not isinstance(r, CommandResult):
            return r
        return StudentEnrolled(
            program_id=input.program_id, student_id=input.student_id,
            status=r.status or "ENROLLED", message=r.message or "", position=r.position,
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

    @strawberry.mutation(description="Mark an enrolled student as having completed the program.")
    async def complete_enrollment(
        self, info: Info, input: EnrollmentInput
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
