"""Mentoring: matching a student with a mentor (directly, or proposed and confirmed),
meetings, and the end of a match. (A mentor's clearances are safeguarding's.)"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, ClassVar
from uuid import UUID

import msgspec
from bridgework.domain.mentor import Mentor
from bridgework.domain.mentoring import MatchClosure
from bridgework.domain.program import Program
from bridgework.domain.student import Student
from bridgework.services.authority import authorise_self
from bridgework.services.bus import Handlers
from bridgework.services.command import Command, Reason, Text
from bridgework.services.context import Role
from bridgework.services.errors import InvalidInput
from bridgework.services.unit_of_work import (
    CommandResult,
    Deps,
    Session,
    execute,
)

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext

HANDLERS = Handlers()

PROPOSED_TO_THEM = "answer only matches proposed to them"
"""A mentor (their token names their mentor id) answers only proposals made to them."""


class AssignMentor(Command):
    program_id: UUID
    student_id: UUID
    mentor_id: UUID


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


async def release_mentor(
    s: Session, program: Program, student: Student, mentor_id: UUID | None
) -> None:
    """Free the place a student held with their mentor in a program (nothing without one)."""
    if mentor_id is None:
        return
    mentor = await s.get(Mentor, mentor_id, "studentId")
    mentor.release_mentee(program_id=program.id, student_id=student.id, at=s.now)


def _match(s: Session, program: Program, student: Student, mentor: Mentor) -> None:
    """Start a match: both streams change together."""
    program.assign_mentor(
        student_id=student.id,
        student_name=student.name,
        mentor_id=mentor.id,
        mentor_name=mentor.name,
        at=s.now,
    )
    mentor.take_mentee(program_id=program.id, student_id=student.id, at=s.now)


@HANDLERS.of(AssignMentor)
async def assign_mentor(deps: Deps, ctx: CommandContext, cmd: AssignMentor) -> CommandResult:
    """Match an enrolled student with a mentor who has room; both streams change together."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        mentor = await s.get(Mentor, cmd.mentor_id, "mentorId")
        _match(s, program, student, mentor)
        return CommandResult(id=program.id)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(CloseMentorMatch)
async def close_mentor_match(
    deps: Deps, ctx: CommandContext, cmd: CloseMentorMatch
) -> CommandResult:
    """End a student's mentor match, with why; the mentor's place is freed."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        mentor_id = program.close_match(
            student_id=student.id,
            student_name=student.name,
            reason=cmd.reason,
            note=cmd.note,
            at=s.now,
        )
        await release_mentor(s, program, student, mentor_id)
        return CommandResult(id=mentor_id, status=str(cmd.reason))

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(LogMentorMeeting)
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
            program_id=program.id,
            student_id=cmd.student_id,
            met_on=cmd.met_on,
            minutes=cmd.minutes,
            notes=cmd.notes,
            at=s.now,
        )
        return CommandResult(id=mentor_id)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(ProposeMentorMatch)
async def propose_mentor_match(
    deps: Deps, ctx: CommandContext, cmd: ProposeMentorMatch
) -> CommandResult:
    """Put a match to a cleared mentor with room; it starts when they confirm it."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        mentor = await s.get(Mentor, cmd.mentor_id, "mentorId")
        program.propose_match(
            student_id=student.id,
            student_name=student.name,
            mentor_id=mentor.id,
            mentor_name=mentor.name,
            at=s.now,
        )
        mentor.require_room(s.now.date())
        return CommandResult(id=mentor.id, status="proposed")

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(ConfirmMentorMatch)
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
        _match(s, program, student, mentor)
        return CommandResult(id=mentor.id, status="active")

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(DeclineMentorMatch)
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
