"""Safeguarding in the API: background checks of mentors and internship hosts (and those
about to lapse), and guardians' consents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import strawberry
from bridgework.graphql import loaders
from bridgework.graphql.context import Info
from bridgework.graphql.directory.mentors import MENTOR, Mentor, mentor_of
from bridgework.graphql.directory.programs import Program, program_of
from bridgework.graphql.directory.students import STUDENT, Student
from bridgework.graphql.enums import ClearanceResult
from bridgework.graphql.errors import Failure, check_days
from bridgework.graphql.pages import AtLeast
from bridgework.graphql.policy import Policies, commands, staff
from bridgework.graphql.run import IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.shapes import copied, ident, maybe_ident
from bridgework.projections.db import today
from bridgework.projections.safeguarding import (
    ClearanceView,
    ConsentView,
    clearances_expiring,
    clearances_of_mentors,
    consents_of_students,
)
from bridgework.services.safeguarding import (
    HANDLERS,
    RecordClearance,
    RecordGuardianConsent,
    WithdrawGuardianConsent,
)

CLEARANCES_OF_MENTOR = loaders.many(clearances_of_mentors)
CONSENTS_OF_STUDENT = loaders.many(consents_of_students)


@strawberry.type
class Clearance:
    """A background check of a mentor or internship host. No one is matched with a student
    unless every check on record is clear and unexpired."""

    id: strawberry.ID
    mentor_id: strawberry.ID
    check_type: str
    provider: str
    result: ClearanceResult
    completed_on: date | None
    expires_on: date | None
    recorded_at: datetime
    current: bool = strawberry.field(
        description="The latest record of its check type (older ones are superseded)."
    )

    @classmethod
    def from_view(cls, v: ClearanceView) -> Clearance:
        return copied(
            cls, v, id=ident(v.id), mentor_id=ident(v.mentor_id), result=ClearanceResult(v.result)
        )

    @strawberry.field
    async def mentor(self, info: Info) -> Mentor | None:
        return await mentor_of(info, UUID(self.mentor_id))


async def clearances_of(info: Info, mentor_id: UUID) -> list[Clearance]:
    return [Clearance.from_view(c) for c in await CLEARANCES_OF_MENTOR.load(info, mentor_id)]


@strawberry.type
class GuardianConsent:
    """A guardian's consent: needed before a student under 18 (or of unknown age) joins a
    program. Withdrawing it withdraws the student from the programs it covered."""

    id: strawberry.ID
    program_id: strawberry.ID | None = strawberry.field(
        description="Null for a standing consent, covering every program."
    )
    guardian_name: str
    relationship: str
    given_on: date
    recorded_at: datetime
    withdrawn_reason: str | None
    withdrawn_at: datetime | None

    @classmethod
    def from_view(cls, v: ConsentView) -> GuardianConsent:
        return copied(cls, v, id=ident(v.id), program_id=maybe_ident(v.program_id))

    @strawberry.field
    async def program(self, info: Info) -> Program | None:
        if self.program_id is None:
            return None
        return await program_of(info, UUID(self.program_id))


async def consents_of(info: Info, student_id: UUID) -> list[GuardianConsent]:
    found = await CONSENTS_OF_STUDENT.load(info, student_id)
    return [GuardianConsent.from_view(c) for c in found]


@strawberry.type
class ClearanceRecorded(Recorded):
    """The check is on record."""

    id: strawberry.ID
    mentor_id: strawberry.ID

    @strawberry.field(description="As the views show it once they include this write.")
    async def mentor(self, info: Info) -> Mentor | None:
        return await viewed(info, self.position, MENTOR, self.mentor_id, Mentor.from_view)


@strawberry.type
class ConsentRecorded(Recorded):
    """The consent is on record."""

    id: strawberry.ID
    student_id: strawberry.ID

    @strawberry.field(description="As the views show it once they include this write.")
    async def student(self, info: Info) -> Student | None:
        return await viewed(info, self.position, STUDENT, self.student_id, Student.from_view)


@strawberry.type
class ConsentWithdrawn(ConsentRecorded):
    """The consent is withdrawn; the student left the programs it alone covered."""

    message: str


RecordClearancePayload = Annotated[
    ClearanceRecorded | Failure, strawberry.union("RecordClearancePayload")
]
RecordGuardianConsentPayload = Annotated[
    ConsentRecorded | Failure, strawberry.union("RecordGuardianConsentPayload")
]
WithdrawGuardianConsentPayload = Annotated[
    ConsentWithdrawn | Failure, strawberry.union("WithdrawGuardianConsentPayload")
]


@strawberry.input
class RecordClearanceInput:
    """A background check's outcome; a later record of the same check type supersedes it."""

    mentor_id: strawberry.ID
    check_type: str = strawberry.field(description="E.g. 'Enhanced background check'.")
    provider: str
    result: ClearanceResult
    completed_on: date | None = strawberry.field(
        default=None, description="Needed unless the result is PENDING."
    )
    expires_on: date | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RecordGuardianConsentInput:
    """A guardian's consent for one program, or (without `programId`) for every program."""

    student_id: strawberry.ID
    guardian_name: str
    relationship: str = strawberry.field(description="E.g. mother, father, legal guardian.")
    given_on: date
    program_id: strawberry.ID | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class WithdrawGuardianConsentInput:
    student_id: strawberry.ID
    consent_id: strawberry.ID
    reason: str
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class Query:
    @strawberry.field(
        description="Current clear checks expiring within `withinDays` (default 30, at most "
        "366) of `asOf` (default today), and those already expired; soonest first."
    )
    async def clearances_expiring(
        self,
        info: Info,
        as_of: date | None = None,
        within_days: int = 30,
        at_least: AtLeast = None,
    ) -> list[Clearance]:
        check_days("withinDays", within_days, least=0)
        await info.context.see_at_least(at_least)
        found = await clearances_expiring(info.context.reads, as_of or today(), within_days)
        ours = await MENTOR.load_many(info, [v.mentor_id for v in found])  # scoped
        return [Clearance.from_view(v) for v, m in zip(found, ours, strict=True) if m]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Record a background check of a mentor or host.")
    async def record_clearance(
        self, info: Info, input: RecordClearanceInput
    ) -> RecordClearancePayload:
        return await run(
            info,
            RecordClearance,
            input,
            lambda r: ClearanceRecorded(
                id=ident(r.id), mentor_id=input.mentor_id, position=r.position
            ),
        )

    @strawberry.mutation(description="Record a guardian's consent for a student.")
    async def record_guardian_consent(
        self, info: Info, input: RecordGuardianConsentInput
    ) -> RecordGuardianConsentPayload:
        return await run(
            info,
            RecordGuardianConsent,
            input,
            lambda r: ConsentRecorded(
                id=ident(r.id), student_id=input.student_id, position=r.position
            ),
        )

    @strawberry.mutation(
        description="Withdraw a guardian's consent: the student leaves every program and "
        "waitlist it alone covered, and their seats go to the next in line."
    )
    async def withdraw_guardian_consent(
        self, info: Info, input: WithdrawGuardianConsentInput
    ) -> WithdrawGuardianConsentPayload:
        return await run(
            info,
            WithdrawGuardianConsent,
            input,
            lambda r: ConsentWithdrawn(
                id=ident(r.id),
                student_id=input.student_id,
                position=r.position,
                message=r.message or "",
            ),
        )


POLICIES: Policies = {"Query": {"clearances_expiring": staff()}, "Mutation": commands(HANDLERS)}
"""Who may run each root field of this area (`policy.py`)."""
