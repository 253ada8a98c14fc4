"""Mentoring: background checks (clearances) for mentors and internship hosts, meetings,
and the end of a match."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, ClassVar
from uuid import UUID

import msgspec
from bridgework.domain.mentor import ClearanceResult, Mentor
from bridgework.domain.program import MatchClosure, Program
from bridgework.domain.student import Student
from bridgework.services.commands import Command, Reason, Text
from bridgework.services.context import Role
from bridgework.services.errors import InvalidInput
from bridgework.services.unit_of_work import (
    CommandResult,
    Deps,
    Session,
    authorise_self,
    execute,
)

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext

Label = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]


class RecordClearance(Command):
    mentor_id: UUID
    check_type: Label
    """E.g. 'DBS enhanced', 'state fingerprint check', 'child abuse registry'."""
    provider: Label
    result: ClearanceResult
    completed_on: date | None = None
    expires_on: date | None = None

    def check(self) -> None:
        if self.result is not ClearanceResult.PENDING and self.completed_on is None:
            raise InvalidInput("completedOn", f"completedOn is needed for a {self.result} result")
        if self.expires_on and self.completed_on and self.expires_on <= self.completed_on:
            raise InvalidInput("expiresOn", "expiresOn must be after completedOn")


async def record_clearance(deps: Deps, ctx: CommandContext, cmd: RecordClearance) -> CommandResult:
    """Record a background check's outcome for a mentor or internship host."""

    async def decide(s: Session) -> CommandResult:
        mentor = await s.get(Mentor, cmd.mentor_id, "mentorId")
        clearance_id = deps.new_id()
        mentor.record_clearance(
            clearance_id=clearance_id, check_type=cmd.check_type, provider=cmd.provider,
            result=cmd.result, completed_on=cmd.completed_on, expires_on=cmd.expires_on,
            at=s.now,
        )  # fmt: skip
        return CommandResult(id=clearance_id, status=str(cmd.result))

    return await execute(deps, ctx, cmd, decide)


class CloseMentorMatch(Command):
    program_id: UUID
    student_id: UUID
    reason: MatchClosure
    note: Text = ""


class LogMentorMeeting(Command):
    program_id: UUID
    student_id: UUID
    met_on: date
    minutes: Annotated[int, msgspec.Meta(ge=1, le=600)]
    notes: Text = ""


async def close_mentor_match(
    deps: Deps, ctx: CommandContext, cmd: CloseMentorMatch
) -> CommandResult:
    """End a student's mentor match, with why; the mentor's place is freed."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        mentor_id = program.close_match(
            student_id=student.id, student_name=student.name, reason=cmd.reason,
            note=cmd.note, at=s.now,
        )  # fmt: skip
        mentor = await s.get(Mentor, mentor_id, "studentId")
        mentor.release_mentee(program_id=program.id, student_id=student.id, at=s.now)
        return CommandResult(id=mentor_id, status=str(cmd.reason))

    return await execute(deps, ctx, cmd, decide)


async def log_mentor_meeting(
    deps: Deps, ctx: CommandContext, cmd: LogMentorMeeting
) -> CommandResult:
    """Log a meeting between a student and their mentor."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        await s.get(Student, cmd.student_id, "studentId")
        mentor_id = program.mentor_of.get(cmd.student_id)
        if mentor_id is None:
            raise InvalidInput("studentId", "studentId has no mentor in that program")
        mentor = await s.get(Mentor, mentor_id, "studentId")
        mentor.log_meeting(
            program_id=program.id, student_id=cmd.student_id, met_on=cmd.met_on,
            minutes=cmd.minutes, notes=cmd.notes, at=s.now,
        )  # fmt: skip
        return CommandResult(id=mentor_id)

    return await execute(deps, ctx, cmd, decide)


PROPOSED_TO_THEM = "answer only matches proposed to them"
"""A mentor (`X-Actor: mentor:<their id>`) answers only proposals made to them."""


class ProposeMentorMatch(Command):
    program_id: UUID
    student_id: UUID
    mentor_id: UUID


class ConfirmMentorMatch(Command):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COORDINATOR, Role.MENTOR})

    program_id: UUID
    student_id: UUID


class DeclineMentorMatch(Command):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COORDINATOR, Role.MENTOR})

    program_id: UUID
    student_id: UUID
    reason: Reason


async def propose_mentor_match(
    deps: Deps, ctx: CommandContext, cmd: ProposeMentorMatch
) -> CommandResult:
    """Put a match to a cleared mentor with room; it starts when they confirm it."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        mentor = await s.get(Mentor, cmd.mentor_id, "mentorId")
        program.propose_match(
            student_id=student.id, student_name=student.name, mentor_id=mentor.id,
            mentor_name=mentor.name, at=s.now,
        )  # fmt: skip
        mentor.require_room(s.now.date())
        return CommandResult(id=mentor.id, status="proposed")

    return await execute(deps, ctx, cmd, decide)


async def confirm_mentor_match(
    deps: Deps, ctx: CommandContext, cmd: ConfirmMentorMatch
) -> CommandResult:
    """The mentor accepts a proposed match: it is active from now (clearance and room are
    checked again, as they may have changed)."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        mentor = await s.get(Mentor, program.proposal_for(student.id, student.name), "studentId")
        authorise_self(ctx, Role.MENTOR, mentor.id, PROPOSED_TO_THEM)
        program.assign_mentor(
            student_id=student.id, student_name=student.name, mentor_id=mentor.id,
            mentor_name=mentor.name, at=s.now,
        )  # fmt: skip
        mentor.take_mentee(program_id=program.id, student_id=student.id, at=s.now)
        return CommandResult(id=mentor.id, status="active")

    return await execute(deps, ctx, cmd, decide)


async def decline_mentor_match(
    deps: Deps, ctx: CommandContext, cmd: DeclineMentorMatch
) -> CommandResult:
    """The mentor (or the coordinator for them) turns a proposed match down, with why."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        mentor_id = program.proposal_for(student.id, student.name)
        authorise_self(ctx, Role.MENTOR, mentor_id, PROPOSED_TO_THEM)
        program.decline_match(
            student_id=student.id, student_name=student.name, reason=cmd.reason, at=s.now
        )
        return CommandResult(id=mentor_id, status="declined")

    return await execute(deps, ctx, cmd, decide)
