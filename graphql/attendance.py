"""Attendance in the API: a program's sessions and who came."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import strawberry
from bridgework.graphql import loaders
from bridgework.graphql.context import Info
from bridgework.graphql.directory.programs import PROGRAM, Program
from bridgework.graphql.directory.students import Student, student_of
from bridgework.graphql.enums import Attendance
from bridgework.graphql.errors import Failure
from bridgework.graphql.policy import Policies, commands
from bridgework.graphql.run import IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.shapes import copied, ident
from bridgework.projections.attendance import (
    AttendanceView,
    SessionView,
    attendance_of_programs,
    sessions_of_programs,
)
from bridgework.services.attendance import HANDLERS, RecordAttendance, ScheduleSession

ABSENCES_FLAGGED = 3
"""Missing this many sessions in a row flags a student for a follow-up."""

SESSIONS_OF_PROGRAM = loaders.many(sessions_of_programs)
ATTENDANCE_OF_PROGRAM = loaders.many(attendance_of_programs)


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
        return copied(cls, v, id=ident(v.id))


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
        return copied(cls, v, flagged=v.absences_in_a_row >= ABSENCES_FLAGGED, view=v)

    @strawberry.field
    async def student(self, info: Info) -> Student | None:
        return await student_of(info, self.view.student_id)


async def sessions_of(info: Info, program_id: UUID) -> list[ProgramSession]:
    return [ProgramSession.from_view(v) for v in await SESSIONS_OF_PROGRAM.load(info, program_id)]


async def attendance_of(info: Info, program_id: UUID) -> list[StudentAttendance]:
    """Each marked student's attendance, flagged ones first."""
    found = await ATTENDANCE_OF_PROGRAM.load(info, program_id)
    rows = [StudentAttendance.from_view(v) for v in found]
    return sorted(rows, key=lambda a: (not a.flagged, -a.absences_in_a_row))


async def attendance_of_student(
    info: Info, program_id: UUID, student_id: UUID
) -> StudentAttendance | None:
    found = await ATTENDANCE_OF_PROGRAM.load(info, program_id)
    mine = next((a for a in found if a.student_id == student_id), None)
    return None if mine is None else StudentAttendance.from_view(mine)


@strawberry.type
class SessionChanged(Recorded):
    """The session is scheduled, or its attendance recorded."""

    session_id: strawberry.ID
    program_id: strawberry.ID

    @strawberry.field(description="As the views show it once they include this write.")
    async def program(self, info: Info) -> Program | None:
        return await viewed(info, self.position, PROGRAM, self.program_id, Program.from_view)


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
    status: Attendance


@strawberry.input
class RecordAttendanceInput:
    """Who came to a session that has happened; a later mark for a student corrects one."""

    program_id: strawberry.ID
    session_id: strawberry.ID
    marks: list[MarkInput] = strawberry.field(description="1 to 1,000 distinct students.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Add a session to a program's calendar.")
    async def schedule_session(self, info: Info, input: ScheduleSessionInput) -> SessionPayload:
        return await run(
            info,
            ScheduleSession,
            input,
            lambda r: SessionChanged(
                session_id=ident(r.id), program_id=input.program_id, position=r.position
            ),
        )

    @strawberry.mutation(description="Mark who was present, excused or absent at a session.")
    async def record_attendance(self, info: Info, input: RecordAttendanceInput) -> SessionPayload:
        return await run(
            info,
            RecordAttendance,
            input,
            lambda r: SessionChanged(
                session_id=input.session_id, program_id=input.program_id, position=r.position
            ),
        )


POLICIES: Policies = {"Mutation": commands(HANDLERS)}
"""Who may run each root field of this area (`policy.py`)."""
