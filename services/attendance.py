"""Attendance: a program's sessions and who came to them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from bridgework.domain.attendance import Attendance
from bridgework.domain.program import Program
from bridgework.services.bus import Handlers
from bridgework.services.command import Command, Name
from bridgework.services.errors import InvalidInput
from bridgework.services.unit_of_work import CommandResult, Deps, Session, execute

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext

HANDLERS = Handlers()


class ScheduleSession(Command):
    program_id: UUID
    held_on: date
    title: Name


class Mark(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    student_id: UUID
    status: Attendance


class RecordAttendance(Command):
    program_id: UUID
    session_id: UUID
    marks: Annotated[list[Mark], msgspec.Meta(min_length=1, max_length=1000)]

    def check(self) -> None:
        students = [m.student_id for m in self.marks]
        if len(set(students)) != len(students):
            raise InvalidInput("marks", "marks lists a student twice")


@HANDLERS.of(ScheduleSession)
async def schedule_session(deps: Deps, ctx: CommandContext, cmd: ScheduleSession) -> CommandResult:
    """Add a session (a club night, a workshop day, a shift) to a program's calendar."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        session_id = deps.new_id()
        program.schedule_session(
            session_id=session_id, held_on=cmd.held_on, title=cmd.title, at=s.now
        )
        return CommandResult(id=session_id)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(RecordAttendance)
async def record_attendance(
    deps: Deps, ctx: CommandContext, cmd: RecordAttendance
) -> CommandResult:
    """Mark who was present, excused or absent at a session (a later mark corrects one)."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        program.record_attendance(
            session_id=cmd.session_id,
            marks=tuple((m.student_id, m.status) for m in cmd.marks),
            at=s.now,
        )
        return CommandResult(id=cmd.session_id)

    return await execute(deps, ctx, cmd, decide)
