"""`enrolment`: per program its seats, waitlist and outcomes of enrolment; per student their
programs and where they stand."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeAlias
from uuid import UUID

import msgspec
from bridgework.domain.program import Program
from bridgework.projections.db import grouped
from bridgework.projections.scrub import scrub

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.projections.db import Connection, Executor
    from bridgework.services.ports import StoredEvent


EnrolmentStatus = Literal[
    "APPLIED", "ACCEPTED", "DENIED", "REFUSED", "ENROLLED", "WAITLISTED", "WITHDRAWN", "COMPLETED"
]


class EnrolmentEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One student in one program: where they stand now."""

    program_id: UUID
    student_id: UUID
    status: EnrolmentStatus
    waitlist_place: int | None
    mentor_id: UUID | None
    changed_at: datetime
    reason: str = ""
    """Why they were denied or withdrawn, or what a refusal found."""
    rule: str | None = None
    """The eligibility rule that refused them (REFUSED only)."""


class ProgramEnrolmentView(msgspec.Struct, frozen=True, kw_only=True):
    program_id: UUID
    capacity: int
    enrolled: int
    waitlisted: int
    withdrawn: int
    completed: int
    applied: int
    """Open applications."""
    denied: int
    refused: int
    seats_left: int
    waitlist: list[UUID]
    """Waitlisted student ids, first in line first."""


SCHEMA = """
CREATE TABLE IF NOT EXISTS enrolment_programs (
    program_id uuid PRIMARY KEY, capacity integer NOT NULL
);
CREATE TABLE IF NOT EXISTS enrolment_entries (
    program_id uuid NOT NULL, student_id uuid NOT NULL,
    status text NOT NULL CHECK (status IN ('APPLIED', 'ACCEPTED', 'DENIED', 'REFUSED',
                                           'ENROLLED', 'WAITLISTED', 'WITHDRAWN', 'COMPLETED')),
    -- The log position of the StudentWaitlisted event: the order of the line.
    waitlisted_at_position bigint,
    mentor_id uuid,
    changed_at timestamptz NOT NULL,
    reason text NOT NULL,
    rule text,
    PRIMARY KEY (program_id, student_id)
);
CREATE INDEX IF NOT EXISTS enrolment_entries_by_student ON enrolment_entries (student_id);
"""

_LOAD = """
SELECT program_id, student_id, status, waitlisted_at_position, mentor_id, changed_at, reason, rule
FROM enrolment_entries JOIN unnest($1::uuid[], $2::uuid[]) AS k(program_id, student_id)
     USING (program_id, student_id)
"""

_SAVE = """
INSERT INTO enrolment_entries (program_id, student_id, status, waitlisted_at_position, mentor_id,
                               changed_at, reason, rule)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::uuid[],
                     $6::timestamptz[], $7::text[], $8::text[])
ON CONFLICT (program_id, student_id) DO UPDATE
SET status = excluded.status, waitlisted_at_position = excluded.waitlisted_at_position,
    mentor_id = excluded.mentor_id, changed_at = excluded.changed_at, reason = excluded.reason,
    rule = excluded.rule
"""

Key: TypeAlias = tuple[UUID, UUID]
Row: TypeAlias = tuple[str, int | None, UUID | None, datetime, str, str | None]
"""status, position of the StudentWaitlisted event (the order of the line), mentor, changed at,
reason, the eligibility rule of a refusal."""

_FRESH = (Program.StudentEnrolled, Program.StudentWaitlisted, Program.ApplicationReceived)
"""Events that start an entry afresh, so the batch need not load the row they replace."""


def _evolve(row: Row | None, event: StoredEvent, e: Any) -> Row | None:  # noqa: C901, PLR0911 - one case per event
    """One entry after one event, as the domain has it (None: no entry yet)."""
    at = e.timestamp
    match e:
        case Program.ApplicationReceived():
            return ("APPLIED", None, None, at, "", None)
        case Program.StudentEnrolled():
            return ("ENROLLED", None, None, at, "", None)
        case Program.StudentWaitlisted():
            return ("WAITLISTED", event.position, None, at, "", None)
        case _ if row is None:
            return None
        case Program.ApplicationRefused():
            return ("REFUSED", None, None, at, e.detail, e.rule)
        case Program.ApplicationAccepted():
            return ("ACCEPTED", None, None, at, "", None)
        case Program.ApplicationDenied():
            return ("DENIED", None, None, at, e.reason, None)
        case Program.StudentWithdrawn():
            # the program forgets their mentor too
            return ("WITHDRAWN", None, None, at, e.reason, None)
        case Program.StudentPromotedFromWaitlist():
            return ("ENROLLED", None, row[2], at, "", None)
        case Program.EnrolmentCompleted():
            return ("COMPLETED", None, row[2], at, "", None)
        case Program.MentorAssigned():
            return (row[0], row[1], e.mentor_id, at, row[4], row[5])
        case _:
            raise TypeError(f"enrolment does not handle {event.event_type}")


class Enrolment:
    name = "enrolment"
    version = 2
    schema = SCHEMA
    tables = ("enrolment_programs", "enrolment_entries")
    erases = (scrub("enrolment_entries", "reason"),)
    handles = frozenset(
        {
            "ProgramLaunched",
            "ApplicationReceived",
            "ApplicationRefused",
            "ApplicationAccepted",
            "ApplicationDenied",
            "StudentEnrolled",
            "StudentWaitlisted",
            "StudentWithdrawn",
            "StudentPromotedFromWaitlist",
            "EnrolmentCompleted",
            "MentorAssigned",
        }
    )

    async def apply_batch(
        self, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
    ) -> None:
        """Fold the batch in memory over the rows it touches: two round trips, not one per event."""
        launched = [
            (e.originator_id, e.capacity)
            for _, e in events
            if isinstance(e, Program.ProgramLaunched)
        ]
        if launched:
            await conn.executemany("INSERT INTO enrolment_programs VALUES ($1, $2)", launched)
        changes = [(s, e) for s, e in events if not isinstance(e, Program.ProgramLaunched)]
        rows: dict[Key, Row | None] = {}
        unknown: list[Key] = []
        for _, e in changes:
            key = (e.originator_id, e.student_id)
            if key not in rows:
                rows[key] = None
                if not isinstance(e, _FRESH):
                    unknown.append(key)
        if unknown:
            found = await conn.fetch(_LOAD, [k[0] for k in unknown], [k[1] for k in unknown])
            rows.update({(r[0], r[1]): (r[2], r[3], r[4], r[5], r[6], r[7]) for r in found})
        for stored, e in changes:
            key = (e.originator_id, e.student_id)
            rows[key] = _evolve(rows[key], stored, e)
        saved = [(k, r) for k, r in rows.items() if r is not None]
        if saved:
            await conn.execute(
                _SAVE, *(list(c) for c in zip(*(k + r for k, r in saved), strict=True))
            )


PROJECTIONS = (Enrolment,)
"""This area's read models."""
_ENTRIES = """
WITH ranked AS (
    SELECT program_id, student_id, status, mentor_id, changed_at, reason, rule,
           CASE WHEN status = 'WAITLISTED' THEN row_number() OVER (
               PARTITION BY program_id, status = 'WAITLISTED' ORDER BY waitlisted_at_position)
           END AS place
    FROM enrolment_entries
    WHERE program_id IN (SELECT program_id FROM enrolment_entries WHERE {column} = ANY($1::uuid[]))
)
SELECT program_id, student_id, status, mentor_id, changed_at, place, reason, rule FROM ranked
WHERE {column} = ANY($1::uuid[])
ORDER BY {column}, array_position(
    '{{ENROLLED,WAITLISTED,ACCEPTED,APPLIED,COMPLETED,WITHDRAWN,DENIED,REFUSED}}'::text[], status),
         place, changed_at, program_id, student_id
"""
"""Waitlist places are ranks within the whole program, so they are computed over all of a
program's entries even when asking for one student's."""


async def _entries(
    conn: Executor, column: str, ids: Sequence[UUID]
) -> dict[UUID, list[EnrolmentEntry]]:
    rows = await conn.fetch(_ENTRIES.format(column=column), list(ids))
    entries = (
        EnrolmentEntry(
            program_id=r[0],
            student_id=r[1],
            status=r[2],
            mentor_id=r[3],
            changed_at=r[4],
            waitlist_place=r[5],
            reason=r[6],
            rule=r[7],
        )
        for r in rows
    )
    return grouped(entries, column)


async def enrolments_of_programs(
    conn: Executor, program_ids: Sequence[UUID]
) -> dict[UUID, list[EnrolmentEntry]]:
    """Each program's students: enrolled first, then the waitlist in order, then the rest."""
    return await _entries(conn, "program_id", program_ids)


async def enrolments_of_students(
    conn: Executor, student_ids: Sequence[UUID]
) -> dict[UUID, list[EnrolmentEntry]]:
    """Each student's programs, in the same order of standing."""
    return await _entries(conn, "student_id", student_ids)


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
               count(*) FILTER (WHERE e.status = 'APPLIED'),
               count(*) FILTER (WHERE e.status = 'DENIED'),
               count(*) FILTER (WHERE e.status = 'REFUSED'),
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
            applied=r[6],
            denied=r[7],
            refused=r[8],
            seats_left=max(r[1] - r[2], 0),
            waitlist=list(r[9]),
        )
        for r in rows
    }
