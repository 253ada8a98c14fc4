"""Safeguarding: background checks (clearances) for mentors and internship hosts, and
guardians' consent for minors."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from bridgework.domain.mentor import Mentor
from bridgework.domain.program import Program
from bridgework.domain.safeguarding import ClearanceResult
from bridgework.domain.student import Student
from bridgework.services.bus import Handlers
from bridgework.services.command import Command, Name, Reason, ShortText
from bridgework.services.enrolment import leave
from bridgework.services.errors import InvalidInput
from bridgework.services.unit_of_work import CommandResult, Deps, Session, execute

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext

HANDLERS = Handlers()


class RecordClearance(Command):
    mentor_id: UUID
    check_type: Name
    """E.g. 'DBS enhanced', 'state fingerprint check', 'child abuse registry'."""
    provider: Name
    result: ClearanceResult
    completed_on: date | None = None
    expires_on: date | None = None

    def check(self) -> None:
        if self.result is not ClearanceResult.PENDING and self.completed_on is None:
            raise InvalidInput("completedOn", f"completedOn is needed for a {self.result} result")
        if self.expires_on and self.completed_on and self.expires_on <= self.completed_on:
            raise InvalidInput("expiresOn", "expiresOn must be after completedOn")


class RecordGuardianConsent(Command):
    student_id: UUID
    guardian_name: Name
    relationship: ShortText
    given_on: date
    program_id: UUID | None = None
    """None: a standing consent for every program."""


class WithdrawGuardianConsent(Command):
    student_id: UUID
    consent_id: UUID
    reason: Reason


@HANDLERS.of(RecordClearance)
async def record_clearance(deps: Deps, ctx: CommandContext, cmd: RecordClearance) -> CommandResult:
    """Record a background check's outcome for a mentor or internship host."""

    async def decide(s: Session) -> CommandResult:
        mentor = await s.get(Mentor, cmd.mentor_id, "mentorId")
        clearance_id = deps.new_id()
        mentor.record_clearance(
            clearance_id=clearance_id,
            check_type=cmd.check_type,
            provider=cmd.provider,
            result=cmd.result,
            completed_on=cmd.completed_on,
            expires_on=cmd.expires_on,
            at=s.now,
        )
        return CommandResult(id=clearance_id, status=str(cmd.result))

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(RecordGuardianConsent)
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
            consent_id=consent_id,
            program_id=cmd.program_id,
            guardian_name=cmd.guardian_name,
            relationship=cmd.relationship,
            given_on=cmd.given_on,
            at=s.now,
        )
        return CommandResult(id=consent_id)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(WithdrawGuardianConsent)
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
