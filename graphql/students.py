"""Students in the API: guardians' consent, programs' eligibility rules, and what students
achieved (credentials, pathways)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from bridgework.graphql.errors import Failure
from bridgework.graphql.mutations import IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.types import Info, Program, Student, program_of
from bridgework.services import students as st
from bridgework.services.unit_of_work import CommandResult

if TYPE_CHECKING:
    from bridgework.projections.views import ConsentView, CredentialView, PathwayView


@strawberry.enum
class Pathway(Enum):
    """Where a student went after a program."""

    COLLEGE_STEM = "college_stem"
    INTERNSHIP_OFFER = "internship_offer"
    JOB_OFFER = "job_offer"
    APPRENTICESHIP = "apprenticeship"


@strawberry.type
class Credential:
    """A skill or credential a student earned."""

    id: strawberry.ID
    name: str
    issuer: str
    earned_on: date
    program_id: strawberry.ID | None

    @classmethod
    def from_view(cls, v: CredentialView) -> Credential:
        return cls(
            id=strawberry.ID(str(v.id)), name=v.name, issuer=v.issuer, earned_on=v.earned_on,
            program_id=None if v.program_id is None else strawberry.ID(str(v.program_id)),
        )  # fmt: skip


@strawberry.type
class StudentPathway:
    """Where a student went next, and which program led there."""

    id: strawberry.ID
    pathway: Pathway
    organisation: str
    on: date
    program_id: strawberry.ID | None

    @classmethod
    def from_view(cls, v: PathwayView) -> StudentPathway:
        return cls(
            id=strawberry.ID(str(v.id)), pathway=Pathway(v.pathway), organisation=v.organisation,
            on=v.on,
            program_id=None if v.program_id is None else strawberry.ID(str(v.program_id)),
        )  # fmt: skip


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
        return cls(
            id=strawberry.ID(str(v.id)),
            program_id=None if v.program_id is None else strawberry.ID(str(v.program_id)),
            guardian_name=v.guardian_name, relationship=v.relationship, given_on=v.given_on,
            recorded_at=v.recorded_at, withdrawn_reason=v.withdrawn_reason,
            withdrawn_at=v.withdrawn_at,
        )  # fmt: skip

    @strawberry.field
    async def program(self, info: Info) -> Program | None:
        if self.program_id is None:
            return None
        return await program_of(info, UUID(self.program_id))


@strawberry.type
class Eligibility:
    """Who a program is for. Ages are on its start date."""

    min_grade: int | None
    max_grade: int | None
    min_age: int | None
    max_age: int | None
    prerequisite_ids: list[strawberry.ID]

    @strawberry.field(description="Programs a student must have completed first.")
    async def prerequisites(self, info: Info) -> list[Program]:
        found = await info.context.loaders.program.load_many(
            [UUID(p) for p in self.prerequisite_ids]
        )
        return [Program.from_view(p) for p in found if p is not None]


@strawberry.type
class ConsentRecorded(Recorded):
    """The consent is on record."""

    id: strawberry.ID
    student_id: strawberry.ID

    @strawberry.field(description="As the views show it once they include this write.")
    async def student(self, info: Info) -> Student | None:
        found = await viewed(info, self.position, info.context.loaders.student, self.student_id)
        return None if found is None else Student.from_view(found)


@strawberry.type
class ConsentWithdrawn(ConsentRecorded):
    """The consent is withdrawn; the student left the programs it alone covered."""

    message: str


@strawberry.type
class EligibilitySet(Recorded):
    """The program's rules are set (replacing any before)."""

    program_id: strawberry.ID

    @strawberry.field(description="As the views show it once they include this write.")
    async def program(self, info: Info) -> Program | None:
        found = await viewed(info, self.position, info.context.loaders.program, self.program_id)
        return None if found is None else Program.from_view(found)


RecordGuardianConsentPayload = Annotated[
    ConsentRecorded | Failure, strawberry.union("RecordGuardianConsentPayload")
]
WithdrawGuardianConsentPayload = Annotated[
    ConsentWithdrawn | Failure, strawberry.union("WithdrawGuardianConsentPayload")
]
SetEligibilityPayload = Annotated[
    EligibilitySet | Failure, strawberry.union("SetEligibilityPayload")
]


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


@strawberry.input
class SetEligibilityInput:
    """Grades 0 to 12, ages 3 to 120 (on the start date), up to 20 prerequisite programs."""

    program_id: strawberry.ID
    min_grade: int | None = None
    max_grade: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    prerequisite_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class OutcomeRecorded(Recorded):
    """The credential or pathway is on record."""

    id: strawberry.ID
    student_id: strawberry.ID


OutcomePayload = Annotated[OutcomeRecorded | Failure, strawberry.union("OutcomePayload")]


@strawberry.input
class RecordCredentialInput:
    """A credential earned, optionally through a program the student took part in."""

    student_id: strawberry.ID
    name: str
    issuer: str
    earned_on: date
    program_id: strawberry.ID | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RecordPathwayInput:
    """Where a student went next; an offer or apprenticeship counts as a placement."""

    student_id: strawberry.ID
    pathway: Pathway
    on: date
    organisation: str = ""
    program_id: strawberry.ID | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class StudentMutation:
    @strawberry.mutation(description="Record a skill or credential a student earned.")
    async def record_credential(self, info: Info, input: RecordCredentialInput) -> OutcomePayload:
        r = await run(info, st.record_credential, st.RecordCredential, input)
        if not isinstance(r, CommandResult):
            return r
        return OutcomeRecorded(
            id=strawberry.ID(str(r.id)), student_id=input.student_id, position=r.position
        )

    @strawberry.mutation(description="Record where a student went next.")
    async def record_pathway(self, info: Info, input: RecordPathwayInput) -> OutcomePayload:
        r = await run(info, st.record_pathway, st.RecordPathway, input)
        if not isinstance(r, CommandResult):
            return r
        return OutcomeRecorded(
            id=strawberry.ID(str(r.id)), student_id=input.student_id, position=r.position
        )

    @strawberry.mutation(description="Record a guardian's consent for a student.")
    async def record_guardian_consent(
        self, info: Info, input: RecordGuardianConsentInput
    ) -> RecordGuardianConsentPayload:
        r = await run(info, st.record_guardian_consent, st.RecordGuardianConsent, input)
        if not isinstance(r, CommandResult):
            return r
        return ConsentRecorded(
            id=strawberry.ID(str(r.id)), student_id=input.student_id, position=r.position
        )

    @strawberry.mutation(
        description="Withdraw a guardian's consent: the student leaves every program and "
        "waitlist it alone covered, and their seats go to the next in line."
    )
    async def withdraw_guardian_consent(
        self, info: Info, input: WithdrawGuardianConsentInput
    ) -> WithdrawGuardianConsentPayload:
        r = await run(info, st.withdraw_guardian_consent, st.WithdrawGuardianConsent, input)
        if not isinstance(r, CommandResult):
            return r
        return ConsentWithdrawn(
            id=strawberry.ID(str(r.id)), student_id=input.student_id, position=r.position,
            message=r.message or "",
        )  # fmt: skip

    @strawberry.mutation(description="Set who a program is for; refusals name the rule.")
    async def set_eligibility(
        self, info: Info, input: SetEligibilityInput
    ) -> SetEligibilityPayload:
        r = await run(info, st.set_eligibility, st.SetEligibility, input)
        if not isinstance(r, CommandResult):
            return r
        return EligibilitySet(program_id=input.program_id, position=r.position)
