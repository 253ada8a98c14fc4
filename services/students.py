"""Students: guardians' consent, who a program is for, and what students achieved."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, ClassVar
from uuid import UUID

import msgspec
from bridgework.domain.program import Program
from bridgework.domain.student import Demographic, Pathway, Student
from bridgework.services.commands import Command, Grade, Name, Reason
from bridgework.services.context import Role
from bridgework.services.errors import InvalidInput
from bridgework.services.handlers import leave
from bridgework.services.unit_of_work import (
    CommandResult,
    Deps,
    Session,
    authorise_self,
    execute,
)

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext

Age = Annotated[int, msgspec.Meta(ge=3, le=120)]


class RecordGuardianConsent(Command):
    student_id: UUID
    guardian_name: Name
    relationship: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"\S")]
    given_on: date
    program_id: UUID | None = None
    """None: a standing consent for every program."""


class WithdrawGuardianConsent(Command):
    student_id: UUID
    consent_id: UUID
    reason: Reason


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


async def record_guardian_consent(
    deps: Deps, ctx: CommandContext, cmd: RecordGuardianConsent
) -> CommandResult:
    """Record a guardian's consent for one program, or a standing one."""

    async def decide(s: Session) -> CommandResult:
        student = await s.get(Student, cmd.student_id, "studentId")
        if cmd.program_id is not None:
            await s.get(Program, cmd.program_id, "programId")
        consent_id = deps.new_id()
        student.record_consent(
            consent_id=consent_id, program_id=cmd.program_id, guardian_name=cmd.guardian_name,
            relationship=cmd.relationship, given_on=cmd.given_on, at=s.now,
        )  # fmt: skip
        return CommandResult(id=consent_id)

    return await execute(deps, ctx, cmd, decide)


async def withdraw_guardian_consent(
    deps: Deps, ctx: CommandContext, cmd: WithdrawGuardianConsent
) -> CommandResult:
    """Withdraw a consent: the student leaves every program and waitlist it covered (their
    seats go to the next in line) unless another consent covers it."""

    async def decide(s: Session) -> CommandResult:
        student = await s.get(Student, cmd.student_id, "studentId")
        leaving = student.withdraw_consent(consent_id=cmd.consent_id, reason=cmd.reason, at=s.now)
        for program_id in leaving:
            program = await s.get(Program, program_id, "consentId")
            if program.holds_place(student.id):
                await leave(s, program, student, f"Guardian consent withdrawn: {cmd.reason}")
        return CommandResult(id=cmd.consent_id, message=f"{len(leaving)} program(s) left")

    return await execute(deps, ctx, cmd, decide)


async def set_eligibility(deps: Deps, ctx: CommandContext, cmd: SetEligibility) -> CommandResult:
    """Say who a program is for: grades, ages on its start date, programs completed first."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        for i, p in enumerate(cmd.prerequisite_ids):
            await s.get(Program, p, f"prerequisiteIds[{i}]")
        program.set_eligibility(
            min_grade=cmd.min_grade, max_grade=cmd.max_grade, min_age=cmd.min_age,
            max_age=cmd.max_age, prerequisite_ids=tuple(cmd.prerequisite_ids), at=s.now,
        )  # fmt: skip
        return CommandResult(id=program.id)

    return await execute(deps, ctx, cmd, decide)


class RecordCredential(Command):
    student_id: UUID
    name: Name
    """E.g. 'OSHA 10 safety certificate', 'AWS Cloud Practitioner'."""
    issuer: Name
    earned_on: date
    program_id: UUID | None = None


class RecordPathway(Command):
    student_id: UUID
    pathway: Pathway
    on: date
    organisation: Annotated[str, msgspec.Meta(max_length=200)] = ""
    """The college, employer or apprenticeship provider."""
    program_id: UUID | None = None


async def program_of_student(s: Session, program_id: UUID | None, student: Student) -> None:
    """The program an outcome credits must be one the student held a seat in."""
    if program_id is None:
        return
    program = await s.get(Program, program_id, "programId")
    program.require_participant(student.id, student.name)


async def record_credential(
    deps: Deps, ctx: CommandContext, cmd: RecordCredential
) -> CommandResult:
    """Record a skill or credential a student earned, optionally through a program."""

    async def decide(s: Session) -> CommandResult:
        student = await s.get(Student, cmd.student_id, "studentId")
        await program_of_student(s, cmd.program_id, student)
        credential_id = deps.new_id()
        student.earn_credential(
            credential_id=credential_id, program_id=cmd.program_id, name=cmd.name,
            issuer=cmd.issuer, earned_on=cmd.earned_on, at=s.now,
        )  # fmt: skip
        return CommandResult(id=credential_id)

    return await execute(deps, ctx, cmd, decide)


async def record_pathway(deps: Deps, ctx: CommandContext, cmd: RecordPathway) -> CommandResult:
    """Record where a student went next: college STEM, an internship or job offer, an
    apprenticeship."""

    async def decide(s: Session) -> CommandResult:
        student = await s.get(Student, cmd.student_id, "studentId")
        await program_of_student(s, cmd.program_id, student)
        pathway_id = deps.new_id()
        student.record_pathway(
            pathway_id=pathway_id, program_id=cmd.program_id, pathway=cmd.pathway,
            organisation=cmd.organisation, on=cmd.on, at=s.now,
        )  # fmt: skip
        return CommandResult(id=pathway_id)

    return await execute(deps, ctx, cmd, decide)


class DemographicAnswer(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    field: Demographic
    value: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"\S")]
    """The student's own words or a choice from the school's form, e.g. 'female', 'yes'."""


class ReportDemographics(Command):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COORDINATOR, Role.STUDENT})

    student_id: UUID
    answers: Annotated[list[DemographicAnswer], msgspec.Meta(max_length=len(Demographic))]
    """Every field is optional; an empty list withdraws an earlier report."""

    def check(self) -> None:
        fields = [a.field for a in self.answers]
        if len(set(fields)) != len(fields):
            raise InvalidInput("answers", "answers gives a field twice")


async def report_demographics(
    deps: Deps, ctx: CommandContext, cmd: ReportDemographics
) -> CommandResult:
    """Record what a student chose to report about themselves (students report their own)."""
    authorise_self(ctx, Role.STUDENT, cmd.student_id, "report only their own demographics")

    async def decide(s: Session) -> CommandResult:
        student = await s.get(Student, cmd.student_id, "studentId")
        student.report_demographics(
            answers=tuple((a.field, a.value.strip()) for a in cmd.answers), at=s.now
        )
        return CommandResult(id=student.id)

    return await execute(deps, ctx, cmd, decide)
