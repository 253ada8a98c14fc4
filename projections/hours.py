"""`hours`: every entry of students' hours and where it stands; totals per program and student."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from bridgework.domain.hours import HoursLog
from bridgework.projections.batch import InOrder
from bridgework.projections.db import grouped
from bridgework.projections.measures import HOURS_APPROVED, HOURS_VERIFIED
from bridgework.projections.scrub import scrub

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.projections.db import Connection, Executor
    from bridgework.services.ports import StoredEvent


class HoursView(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of a student's hours and where it stands."""

    id: UUID
    student_id: UUID
    program_id: UUID
    worked_on: date
    hours: Decimal
    activity: str
    supervisor_name: str
    supervisor_email: str
    status: str
    """submitted, verified, declined, approved or rejected."""
    reason: str
    """Why the supervisor declined or the school rejected them."""
    note: str
    link_expires_at: datetime | None
    submitted_at: datetime
    verified_at: datetime | None
    """When the supervisor answered (verified or declined)."""
    approved_at: datetime | None
    """When the school answered (approved or rejected)."""


class HoursTotals(msgspec.Struct, frozen=True, kw_only=True):
    """Hours in a program (or of a student), by how far they got."""

    submitted: Decimal
    """Every entry logged, whatever became of it."""
    verified: Decimal
    """Confirmed by the supervisor (approved ones included)."""
    approved: Decimal
    awaiting_supervisor: int
    """Entries still waiting for the supervisor."""
    awaiting_school: int
    """Verified entries the school has not decided on."""


SCHEMA = """
CREATE TABLE IF NOT EXISTS hours_entries (
    id uuid PRIMARY KEY, student_id uuid NOT NULL, program_id uuid NOT NULL,
    worked_on date NOT NULL, hours numeric(6, 2) NOT NULL, activity text NOT NULL,
    supervisor_name text NOT NULL, supervisor_email text NOT NULL,
    status text NOT NULL
        CHECK (status IN ('submitted', 'verified', 'declined', 'approved', 'rejected')),
    reason text NOT NULL DEFAULT '', note text NOT NULL DEFAULT '',
    link_expires_at timestamptz, submitted_at timestamptz NOT NULL,
    verified_at timestamptz, approved_at timestamptz, seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS hours_entries_by_student ON hours_entries (student_id, worked_on, seq);
CREATE INDEX IF NOT EXISTS hours_entries_by_program ON hours_entries (program_id, worked_on, seq);
"""

_SUBMIT = """INSERT INTO hours_entries (id, student_id, program_id, worked_on, hours, activity,
    supervisor_name, supervisor_email, status, submitted_at, seq)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'submitted', $9, $10)"""
_LINK = "UPDATE hours_entries SET link_expires_at = $2 WHERE id = $1"
_ANSWER = """UPDATE hours_entries SET status = $2, supervisor_name = $3, reason = $4,
    verified_at = $5 WHERE id = $1"""
_DECIDE = """UPDATE hours_entries SET status = $2, note = $3, reason = $4, approved_at = $5
    WHERE id = $1"""


class Hours:
    name = "hours"
    version = 1
    schema = SCHEMA
    tables = ("hours_entries",)
    erases = (
        scrub("hours_entries", "activity", "supervisor_name", "supervisor_email", "reason", "note"),
    )
    handles = frozenset(
        {
            "HoursSubmitted",
            "VerificationLinkIssued",
            "HoursVerified",
            "HoursDeclined",
            "HoursApproved",
            "HoursRejected",
        }
    )

    async def apply_batch(
        self, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
    ) -> None:
        writes = InOrder()  # each entry's updates follow its insert
        for event, e in events:
            log, at = e.originator_id, e.timestamp
            match e:
                case HoursLog.HoursSubmitted():
                    writes.add(
                        _SUBMIT,
                        log,
                        e.student_id,
                        e.program_id,
                        e.worked_on,
                        e.hours,
                        e.activity,
                        e.supervisor_name,
                        e.supervisor_email,
                        at,
                        event.position,
                    )
                case HoursLog.VerificationLinkIssued():
                    writes.add(_LINK, log, e.expires_at)
                case HoursLog.HoursVerified():
                    writes.add(_ANSWER, log, "verified", e.supervisor_name, "", at)
                case HoursLog.HoursDeclined():
                    writes.add(_ANSWER, log, "declined", e.supervisor_name, e.reason, at)
                case HoursLog.HoursApproved():
                    writes.add(_DECIDE, log, "approved", e.note, "", at)
                case HoursLog.HoursRejected():
                    writes.add(_DECIDE, log, "rejected", "", e.reason, at)
                case _:
                    raise TypeError(f"hours does not handle {event.event_type}")
        await writes.flush(conn)


PROJECTIONS = (Hours,)
"""This area's read models."""
_COLUMNS = """id, student_id, program_id, worked_on, hours, activity, supervisor_name,
    supervisor_email, status, reason, note, link_expires_at, submitted_at, verified_at,
    approved_at"""


def _view(r: Any) -> HoursView:
    return HoursView(
        id=r[0],
        student_id=r[1],
        program_id=r[2],
        worked_on=r[3],
        hours=r[4],
        activity=r[5],
        supervisor_name=r[6],
        supervisor_email=r[7],
        status=r[8],
        reason=r[9],
        note=r[10],
        link_expires_at=r[11],
        submitted_at=r[12],
        verified_at=r[13],
        approved_at=r[14],
    )


async def hours_entries(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, HoursView]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM hours_entries WHERE id = ANY($1::uuid[])",  # noqa: S608 - fixed SQL
        list(ids),
    )
    return {r[0]: _view(r) for r in rows}


async def _entries_by(
    conn: Executor, column: str, ids: Sequence[UUID]
) -> dict[UUID, list[HoursView]]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM hours_entries WHERE {column} = ANY($1::uuid[])"  # noqa: S608 - fixed SQL
        f" ORDER BY {column}, worked_on, seq",
        list(ids),
    )
    return grouped((_view(r) for r in rows), column)


async def hours_of_students(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, list[HoursView]]:
    """Each student's entries, by the day worked."""
    return await _entries_by(conn, "student_id", ids)


async def hours_of_programs(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, list[HoursView]]:
    """Each program's entries, by the day worked."""
    return await _entries_by(conn, "program_id", ids)


async def hours_totals_of_programs(
    conn: Executor, program_ids: Sequence[UUID]
) -> dict[UUID, HoursTotals]:
    """Per program: hours submitted, verified and approved, and what still waits on whom."""
    rows = await conn.fetch(
        f"""
        SELECT program_id, sum(hours), {HOURS_VERIFIED}, {HOURS_APPROVED},
               count(*) FILTER (WHERE status = 'submitted'),
               count(*) FILTER (WHERE status = 'verified')
        FROM hours_entries WHERE program_id = ANY($1::uuid[]) GROUP BY program_id
        """,  # noqa: S608 - built from constants
        list(program_ids),
    )
    return {
        r[0]: HoursTotals(
            submitted=r[1],
            verified=r[2],
            approved=r[3],
            awaiting_supervisor=r[4],
            awaiting_school=r[5],
        )
        for r in rows
    }


NO_HOURS = HoursTotals(
    submitted=Decimal(0),
    verified=Decimal(0),
    approved=Decimal(0),
    awaiting_supervisor=0,
    awaiting_school=0,
)
