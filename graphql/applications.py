"""Applications in the API: apply, then accept or deny; the rules refuse on their own."""

from __future__ import annotations

from typing import Annotated

import strawberry
from bridgework.graphql.errors import Failure
from bridgework.graphql.mutations import IDEMPOTENCY_KEY, ProgramChange, run
from bridgework.graphql.types import EnrollmentStatus, Info
from bridgework.services import applications as ap
from bridgework.services.unit_of_work import CommandResult


@strawberry.type
class ApplicationDecided(ProgramChange):
    """Where the application stands: APPLIED, REFUSED (the eligibility rules left the student
    out; recorded), DENIED, or, once accepted, ENROLLED or WAITLISTED."""

    status: EnrollmentStatus
    message: str = strawberry.field(description="What happened, worded for the coordinator.")


ApplicationPayload = Annotated[ApplicationDecided | Failure, strawberry.union("ApplicationPayload")]


@strawberry.input
class ApplyToProgramInput:
    """A student asks for a place; a student (`X-Actor: student:<id>`) may ask only for
    themselves."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    statement: str = strawberry.field(default="", description="Why, in their words.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class DecideApplicationInput:
    program_id: strawberry.ID
    student_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class DenyApplicationInput:
    program_id: strawberry.ID
    student_id: strawberry.ID
    reason: str = strawberry.field(description="Told to the student; required.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


def _decided(r: CommandResult | Failure, program_id: str, student_id: str) -> ApplicationPayload:
    if not isinstance(r, CommandResult):
        return r
    return ApplicationDecided(
        program_id=strawberry.ID(program_id), student_id=strawberry.ID(student_id),
        status=EnrollmentStatus(r.status), message=r.message or "", position=r.position,
    )  # fmt: skip


@strawberry.type
class ApplicationMutation:
    @strawberry.mutation(
        description="Apply for a place; one the eligibility rules leave out is refused and "
        "the refusal recorded."
    )
    async def apply_to_program(self, info: Info, input: ApplyToProgramInput) -> ApplicationPayload:
        r = await run(info, ap.apply_to_program, ap.ApplyToProgram, input)
        return _decided(r, input.program_id, input.student_id)

    @strawberry.mutation(
        description="Accept an open application: a seat, or the waitlist when the program is full."
    )
    async def accept_application(
        self, info: Info, input: DecideApplicationInput
    ) -> ApplicationPayload:
        r = await run(info, ap.accept_application, ap.AcceptApplication, input)
        return _decided(r, input.program_id, input.student_id)

    @strawberry.mutation(description="Turn down an open application, with a reason.")
    async def deny_application(self, info: Info, input: DenyApplicationInput) -> ApplicationPayload:
        r = await run(info, ap.deny_application, ap.DenyApplication, input)
        return _decided(r, input.program_id, input.student_id)
