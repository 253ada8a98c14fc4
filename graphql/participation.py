"""Participation in the API: a program's sessions and who came."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from bridgework.graphql.errors import Failure
from bridgework.graphql.mutations import IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.types import Info, Program, Student, student_of
from bridgework.projections.views import AttendanceView
from bridgework.services import participation as pa
from bridgework.services.unit_of_work import CommandResult

if TYPE_CHECKING:
    from bridgework.projections.views import SessionView

ABSENCES_FLAGGED = 3
"""Missing this many sessions in a row flags a student for a follow-up."""


@strawberry.enum
class AttendanceStatus(Enum):
    PRESENT = "present"
    EXCUSED = "excused"
    UNEXCUSED = "unexcused"


@strawberry.type
class ProgramSession:
    """A session of a program (a club night, a workshop day, a shift) and who came."""

    id: strawberry.ID
    held_on: date
    title: str
    present: int
    excused: int
    unexcused: int

    @classmethod
    def from_view(cls, v: SessionView) -> ProgramSession:
        return cls(
            id=strawberry.ID(str(v.id)), held_on=v.held_on, title=v.title, present=v.present,
            excused=v.excused, unexcused=v.unexcused,
        )  # fmt: skip


@strawberry.type
class StudentAttendance:
    """A student's attendance in a program."""

    sessions: int = strawberry.field(description="Sessions they were marked at.")
    present: int
    excused: int
    unexcused: int
    rate: float = strawberry.field(description="Present ÷ sessions marked.")
    absences_in_a_row: int = strawberry.field(description="Missed since last present.")
    flagged: bool = strawberry.field(
        description=f"{ABSENCES_FLAGGED} or more sessions missed in a row."
    )
    view: strawberry.Private[AttendanceView]

    @classmethod
    def from_view(cls, v: AttendanceView) -> StudentAttendance:
        return cls(
            sessions=v.sessions, present=v.present, excused=v.excused, unexcused=v.unexcused,
            rate=v.rate, absences_in_a_row=v.absences_in_a_row,
            flagged=v.absences_in_a_row >= ABSENCES_FLAGGED, view=v,
        )  # fmt: skip

    @strawberry.field
    async def student(self, info: Info) -> Student | None:
        return await student_of(info, self.view.student_id)


@strawberry.type
class SessionChanged(Recorded):
    """The session is scheduled, or its attendance recorded."""

    session_id: strawberry.ID
    program_id: strawberry.ID

    @strawberry.field(description="As the views show it once they include this write.")
    async def program(self, info: Info) -> Program | None:
        found = await viewed(info, self.position, info.context.loaders.program, self.program_id)
        return None if found is None else Program.from_view(found)


SessionPayload = Annotated[SessionChanged | Failure, strawberry.union("SessionPayload")]


@strawberry.input
class ScheduleSessionInput:
    """A session on a date within the program's run."""

    program_id: strawberry.ID
    held_on: date
    title: str
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class MarkInput:
    student_id: strawberry.ID
    status: AttendanceStatus


@strawberry.input
class RecordAttendanceInput:
    """Who came to a session that has happened; a later mark for a student corrects one."""

    program_id: strawberry.ID
    session_id: strawberry.ID
    marks: list[MarkInput] = strawberry.field(description="1 to 1,000 distinct students.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class ParticipationMutation:
    @strawberry.mutation(description="Add a session to a program's calendar.")
    async def schedule_session(self, info: Info, input: ScheduleSessionInput) -> SessionPayload:
        r = await run(info, pa.schedule_session, pa.ScheduleSession, input)
        if not isinstance(r, CommandResult):
            return r
        return SessionChanged(
            session_id=strawberry.ID(str(r.id)), program_id=input.program_id, position=r.position
        )

    @strawberry.mutation(description="Mark who was present, excused or absent at a session.")
    async def record_attendance(self, info: Info, input: RecordAttendanceInput) -> SessionPayload:
        r = await run(info, pa.record_attendance, pa.RecordAttendance, input)
        if not isinstance(r, CommandResult):
            return r
        return SessionChanged(
            session_id=input.session_id, program_id=input.program_id, position=r.position
        )
