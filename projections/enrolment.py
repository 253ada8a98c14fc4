"""`enrolment`: per program its seats, waitlist and outcomes of enrolment; per student their
programs and where they stand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bridgework.domain.program import Program
from bridgework.projections.views import EnrolmentEntry, ProgramEnrolmentView

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    import asyncpg
    from bridgework.projections.views import Connection, Executor
    from bridgework.services.ports import StoredEvent

SCHEMA = """
CREATE TABLE IF NOT EXISTS enrolment_programs (
    program_id uuid PRIMARY KEY, capacity integer NOT NULL
);
CREATE TABLE IF NOT EXISTS enrolment_entries (
    program_id uuid NOT NULL, student_id uuid NOT NULL,
    status text NOT NULL CHECK (status IN ('ENROLLED', 'WAITLISTED', 'WITHDRAWN', 'COMPLETED')),
    -- The log position of the StudentWaitlisted event: the order of the line.
    waitlisted_at_position bigint,
    mentor_id uuid,
    changed_at timestamptz NOT NULL,
    PRIMARY KEY (program_id, student_id)
);
CREATE INDEX IF NOT EXISTS enrolment_entries_by_student ON enrolment_entries (student_id);
"""

_UPSERT = """
INSERT INTO enrolment_entries (program_id, student_id, status, waitlisted_at_position,
                               changed_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (program_id, student_id) DO UPDATE
SET status = excluded.status, waitlisted_at_position = excluded.waitlisted_at_position,
    mentor_id = NULL, changed_at = excluded.changed_at
"""

_SET_STATUS = """
UPDATE enrolment_entries SET status = $3, waitlisted_at_position = NULL, changed_at = $4
WHERE program_id = $1 AND student_id = $2
"""


class Enrolment:
    name = "enrolment"
    version = 1
    schema = SCHEMA
    tables = ("enrolment_programs", "enrolment_entries")
    handles = frozenset(
        {
            "ProgramLaunched",
            "StudentEnrolled",
            "StudentWaitlisted",
            "StudentWithdrawn",
            "StudentPromotedFromWaitlist",
            "EnrolmentCompleted",
            "MentorAssigned",
        }
    )

    async def apply(self, conn: Connection, event: StoredEvent, e: Any) -> None:
        program, at = e.originator_id, e.timestamp
        match e:
            case Program.ProgramLaunched():
                await conn.execute(
                    "INSERT INTO enrolment_programs VALUES ($1, $2)", program, e.capacity
                )
            case Program.StudentEnrolled():
                await conn.execute(_UPSERT, program, e.student_id, "ENROLLED", None, at)
            case Program.StudentWaitlisted():
                await conn.execute(_UPSERT, program, e.student_id, "WAITLISTED", event.position, at)
            case Program.StudentWithdrawn():
                await conn.execute(_SET_STATUS, program, e.student_id, "WITHDRAWN", at)
            case Program.StudentPromotedFromWaitlist():
                await conn.execute(_SET_STATUS, program, e.student_id, "ENROLLED", at)
            case Program.EnrolmentCompleted():
                await conn.execute(_SET_STATUS, program, e.student_id, "COMPLETED", at)
            case Program.MentorAssigned():
                await conn.execute(
                    "UPDATE enrolment_entries SET mentor_id = $3, changed_at = $4"
                    " WHERE program_id = $1 AND student_id = $2",
                    program,
                    e.student_id,
                    e.mentor_id,
                    at,
                )
            case _:
                raise TypeError(f"enrolment does not handle {event.event_type}")


_ENTRIES = """
SELECT program_id, student_id, status, mentor_id, changed_at,
       CASE WHEN status = 'WAITLISTED' THEN row_number() OVER (
           PARTITION BY program_id, status = 'WAITLISTED' ORDER BY waitlisted_at_position)
       END AS place
FROM enrolment_entries
WHERE program_id IN (SELECT program_id FROM enrolment_entries WHERE {column} = ANY($1::uuid[]))
"""
"""Waitlist places are ranks within the whole program, so they are computed over all of a
program's entries even when asking for one student's."""

_ORDER = {"ENROLLED": 0, "WAITLISTED": 1, "COMPLETED": 2, "WITHDRAWN": 3}


def _entry(r: asyncpg.Record) -> EnrolmentEntry:
    return EnrolmentEntry(
        program_id=r[0], student_id=r[1], status=r[2], mentor_id=r[3], changed_at=r[4],
        waitlist_place=r[5],
    )  # fmt: skip


async def _entries(conn: Executor, column: str, ids: Sequence[UUID]) -> list[EnrolmentEntry]:
    query = _ENTRIES.format(column=column)
    rows = await conn.fetch(f"{query} ORDER BY program_id, changed_at, student_id", list(ids))
    entries = [_entry(r) for r in rows]
    return sorted(entries, key=lambda e: (_ORDER[e.status], e.waitlist_place or 0))


async def enrolments_of_programs(
    conn: Executor, program_ids: Sequence[UUID]
) -> dict[UUID, list[EnrolmentEntry]]:
    """Each program's students: enrolled first, then the waitlist in order, then the rest."""
    found: dict[UUID, list[EnrolmentEntry]] = {}
    for entry in await _entries(conn, "program_id", program_ids):
        found.setdefault(entry.program_id, []).append(entry)
    return found


async def enrolments_of_students(
    conn: Executor, student_ids: Sequence[UUID]
) -> dict[UUID, list[EnrolmentEntry]]:
    wanted = set(student_ids)
    found: dict[UUID, list[EnrolmentEntry]] = {}
    for entry in await _entries(conn, "student_id", student_ids):
        if entry.student_id in wanted:
            found.setdefault(entry.student_id, []).append(entry)
    return found


async def program_enrolments(
    conn: Executor, program_ids: Sequence[UUID]
) -> dict[UUID, ProgramEnrolmentView]:
    rows = await conn.fetch(
        """
        SELECT p.program_id, p.capacity,
               count(*) FILTER (WHERE e.status = 'ENROLLED'),
               count(*) FILTER (WHERE e.status = 'WAITLISTED'),
               count(*) FILTER (WHERE e.status = 'WITHDRAWN'),
               count(*) FILTER (WHERE e.status = 'COMPLETED'),
               coalesce(array_agg(e.student_id ORDER BY e.waitlisted_at_position)
                        FILTER (WHERE e.status = 'WAITLISTED'), '{}')
        FROM enrolment_programs p LEFT JOIN enrolment_entries e USING (program_id)
        WHERE p.program_id = ANY($1::uuid[])
        GROUP BY p.program_id, p.capacity
        """,
        list(program_ids),
    )
    return {
        r[0]: ProgramEnrolmentView(
            program_id=r[0],
            capacity=r[1],
            enrolled=r[2],
            waitlisted=r[3],
            withdrawn=r[4],
            completed=r[5],
            seats_left=max(r[1] - r[2], 0),
            waitlist=list(r[6]),
        )
        for r in rows
    }
