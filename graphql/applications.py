"""Applications in the API: apply, then accept or deny; the rules refuse on their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import strawberry
from bridgework.graphql.context import Info
from bridgework.graphql.directory.programs import ProgramChange
from bridgework.graphql.enums import EnrollmentStatus
from bridgework.graphql.errors import Failure
from bridgework.graphql.policy import Policies, commands
from bridgework.graphql.run import IDEMPOTENCY_KEY, run
from bridgework.services.applications import (
    HANDLERS,
    AcceptApplication,
    ApplyToProgram,
    DenyApplication,
)
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
    """A student asks for a place; a student (signed in as themselves) may ask only for
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


def _decided(
    input: ApplyToProgramInput | DecideApplicationInput | DenyApplicationInput,
) -> Callable[[CommandResult], ApplicationDecided]:
    def decided(r: CommandResult) -> ApplicationDecided:
        return ApplicationDecided(
            program_id=input.program_id,
            student_id=input.student_id,
            status=EnrollmentStatus(r.status),
            message=r.message or "",
            position=r.position,
        )

    return decided


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Apply for a place; one the eligibility rules leave out is refused and "
        "the refusal recorded."
    )
    async def apply_to_program(self, info: Info, input: ApplyToProgramInput) -> ApplicationPayload:
        return await run(info, ApplyToProgram, input, _decided(input))

    @strawberry.mutation(
        description="Accept an open application: a seat, or the waitlist when the program is full."
    )
    async def accept_application(
        self, info: Info, input: DecideApplicationInput
    ) -> ApplicationPayload:
        return await run(info, AcceptApplication, input, _decided(input))

    @strawberry.mutation(description="Turn down an open application, with a reason.")
    async def deny_application(self, info: Info, input: DenyApplicationInput) -> ApplicationPayload:
        return await run(info, DenyApplication, input, _decided(input))


POLICIES: Policies = {"Mutation": commands(HANDLERS)}
"""Who may run each root field of this area (`policy.py`)."""
