"""`attendance`: each program's sessions and who came; per student their attendance rate and
how many sessions in a row they have missed lately."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from bridgework.domain.program import Program
from bridgework.projections.batch import Writes
from bridgework.projections.db import grouped

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.projections.db import Connection, Executor
    from bridgework.services.ports import StoredEvent


class SessionView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    program_id: UUID
    held_on: date
    title: str
    present: int
    excused: int
    unexcused: int


class AttendanceView(msgspec.Struct, frozen=True, kw_only=True):
    """One student's attendance in one program."""

    program_id: UUID
    student_id: UUID
    sessions: int
    """Sessions they were marked at."""
    present: int
    excused: int
    unexcused: int
    rate: float
    """Present ÷ sessions marked (an excused absence is still an absence)."""
    absences_in_a_row: int
    """Sessions missed since they were last present."""


SCHEMA = """
CREATE TABLE IF NOT EXISTS attendance_sessions (
    session_id uuid PRIMARY KEY, program_id uuid NOT NULL, held_on date NOT NULL,
    title text NOT NULL, seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS attendance_sessions_by_program
    ON attendance_sessions (program_id, held_on, seq);
CREATE TABLE IF NOT EXISTS attendance_marks (
    session_id uuid NOT NULL, student_id uuid NOT NULL, program_id uuid NOT NULL,
    status text NOT NULL CHECK (status IN ('present', 'excused', 'unexcused')),
    PRIMARY KEY (session_id, student_id)
);
CREATE INDEX IF NOT EXISTS attendance_marks_by_program ON attendance_marks (program_id);
"""

_SESSION = "INSERT INTO attendance_sessions VALUES ($1, $2, $3, $4, $5)"
_MARK = """INSERT INTO attendance_marks VALUES ($1, $2, $3, $4)
ON CONFLICT (session_id, student_id) DO UPDATE SET status = excluded.status"""


class Attendance:
    name = "attendance"
    version = 1
    schema = SCHEMA
    tables = ("attendance_sessions", "attendance_marks")
    handles = frozenset({"SessionScheduled", "AttendanceRecorded"})

    async def apply_batch(
        self, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
    ) -> None:
        # A session is scheduled before anyone is marked at it; a later mark wins.
        writes = Writes(_SESSION, _MARK)
        for event, e in events:
            match e:
                case Program.SessionScheduled():
                    writes.add(
                        _SESSION, e.session_id, e.originator_id, e.held_on, e.title, event.position
                    )
                case Program.AttendanceRecorded():
                    for student_id, status in e.marks:
                        writes.add(_MARK, e.session_id, student_id, e.originator_id, str(status))
                case _:
                    raise TypeError(f"attendance does not handle {event.event_type}")
        await writes.flush(conn)


PROJECTIONS = (Attendance,)
"""This area's read models."""


async def sessions_of_programs(
    conn: Executor, program_ids: Sequence[UUID]
) -> dict[UUID, list[SessionView]]:
    """Each program's sessions in date order, with how many came."""
    rows = await conn.fetch(
        """
        SELECT s.session_id, s.program_id, s.held_on, s.title,
               count(m.*) FILTER (WHERE m.status = 'present'),
               count(m.*) FILTER (WHERE m.status = 'excused'),
               count(m.*) FILTER (WHERE m.status = 'unexcused')
        FROM attendance_sessions s LEFT JOIN attendance_marks m USING (session_id)
        WHERE s.program_id = ANY($1::uuid[])
        GROUP BY s.session_id ORDER BY s.program_id, s.held_on, s.seq
        """,
        list(program_ids),
    )
    return grouped(
        (
            SessionView(
                id=r[0],
                program_id=r[1],
                held_on=r[2],
                title=r[3],
                present=r[4],
                excused=r[5],
                unexcused=r[6],
            )
            for r in rows
        ),
        "program_id",
    )


async def attendance_of_programs(
    conn: Executor, program_ids: Sequence[UUID]
) -> dict[UUID, list[AttendanceView]]:
    """Per program, each marked student's record; the streak counts the sessions missed
    (excused or not) since they were last present."""
    rows = await conn.fetch(
        """
        WITH ordered AS (
            SELECT m.program_id, m.student_id, m.status,
                   count(*) FILTER (WHERE m.status = 'present') OVER (
                       PARTITION BY m.program_id, m.student_id
                       ORDER BY s.held_on DESC, s.seq DESC ROWS UNBOUNDED PRECEDING
                   ) AS present_since
            FROM attendance_marks m JOIN attendance_sessions s USING (session_id)
            WHERE m.program_id = ANY($1::uuid[])
        )
        SELECT program_id, student_id, count(*),
               count(*) FILTER (WHERE status = 'present'),
               count(*) FILTER (WHERE status = 'excused'),
               count(*) FILTER (WHERE status = 'unexcused'),
               count(*) FILTER (WHERE present_since = 0)
        FROM ordered GROUP BY program_id, student_id ORDER BY program_id, student_id
        """,
        list(program_ids),
    )
    return grouped(
        (
            AttendanceView(
                program_id=r[0],
                student_id=r[1],
                sessions=r[2],
                present=r[3],
                excused=r[4],
                unexcused=r[5],
                rate=r[3] / r[2],
                absences_in_a_row=r[6],
            )
            for r in rows
        ),
        "program_id",
    )
