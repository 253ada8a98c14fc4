"""`safeguarding`: every background check of every mentor and internship host, and which
are about to lapse."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from bridgework.domain.mentor import Mentor
from bridgework.domain.student import Student
from bridgework.projections.batch import Writes
from bridgework.projections.db import grouped
from bridgework.projections.scrub import scrub

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.projections.db import Connection, Executor
    from bridgework.services.ports import StoredEvent


class ClearanceView(msgspec.Struct, frozen=True, kw_only=True):
    """A background check of a mentor or internship host."""

    id: UUID
    mentor_id: UUID
    check_type: str
    provider: str
    result: str
    completed_on: date | None
    expires_on: date | None
    recorded_at: datetime
    current: bool
    """The latest record of its check type for that mentor (older ones are superseded)."""


class ConsentView(msgspec.Struct, frozen=True, kw_only=True):
    """A guardian's consent for a student: for one program, or standing (no program)."""

    id: UUID
    student_id: UUID
    program_id: UUID | None
    guardian_name: str
    relationship: str
    given_on: date
    recorded_at: datetime
    withdrawn_reason: str | None
    withdrawn_at: datetime | None


SCHEMA = """
CREATE TABLE IF NOT EXISTS safeguarding_clearances (
    clearance_id uuid PRIMARY KEY, mentor_id uuid NOT NULL, check_type text NOT NULL,
    provider text NOT NULL, result text NOT NULL, completed_on date, expires_on date,
    recorded_at timestamptz NOT NULL, seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS safeguarding_clearances_by_mentor
    ON safeguarding_clearances (mentor_id, check_type, seq);
CREATE INDEX IF NOT EXISTS safeguarding_clearances_by_expiry
    ON safeguarding_clearances (expires_on);
CREATE TABLE IF NOT EXISTS safeguarding_consents (
    consent_id uuid PRIMARY KEY, student_id uuid NOT NULL, program_id uuid,
    guardian_name text NOT NULL, relationship text NOT NULL, given_on date NOT NULL,
    recorded_at timestamptz NOT NULL, withdrawn_reason text, withdrawn_at timestamptz,
    seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS safeguarding_consents_by_student
    ON safeguarding_consents (student_id, seq);
"""

_CLEARANCE = "INSERT INTO safeguarding_clearances VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
_CONSENT = """INSERT INTO safeguarding_consents
VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8)"""
_CONSENT_WITHDRAWN = """UPDATE safeguarding_consents SET withdrawn_reason = $2, withdrawn_at = $3
WHERE consent_id = $1"""

_COLUMNS = """c.clearance_id, c.mentor_id, c.check_type, c.provider, c.result, c.completed_on,
c.expires_on, c.recorded_at, NOT EXISTS (
    SELECT 1 FROM safeguarding_clearances later
    WHERE later.mentor_id = c.mentor_id AND later.check_type = c.check_type
      AND later.seq > c.seq) AS current"""


class Safeguarding:
    name = "safeguarding"
    version = 1
    schema = SCHEMA
    tables = ("safeguarding_clearances", "safeguarding_consents")
    erases = (scrub("safeguarding_consents", "guardian_name", "relationship", "withdrawn_reason"),)
    handles = frozenset(
        {"ClearanceRecorded", "GuardianConsentRecorded", "GuardianConsentWithdrawn"}
    )

    async def apply_batch(
        self, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
    ) -> None:
        writes = Writes(_CLEARANCE, _CONSENT, _CONSENT_WITHDRAWN)
        for event, e in events:
            match e:
                case Mentor.ClearanceRecorded():
                    writes.add(
                        _CLEARANCE,
                        e.clearance_id,
                        e.originator_id,
                        e.check_type,
                        e.provider,
                        str(e.result),
                        e.completed_on,
                        e.expires_on,
                        e.timestamp,
                        event.position,
                    )
                case Student.GuardianConsentRecorded():
                    writes.add(
                        _CONSENT,
                        e.consent_id,
                        e.originator_id,
                        e.program_id,
                        e.guardian_name,
                        e.relationship,
                        e.given_on,
                        e.timestamp,
                        event.position,
                    )
                case Student.GuardianConsentWithdrawn():
                    writes.add(_CONSENT_WITHDRAWN, e.consent_id, e.reason, e.timestamp)
                case _:
                    raise TypeError(f"safeguarding does not handle {event.event_type}")
        await writes.flush(conn)


PROJECTIONS = (Safeguarding,)
"""This area's read models."""


def _view(r: Any) -> ClearanceView:
    return ClearanceView(
        id=r[0],
        mentor_id=r[1],
        check_type=r[2],
        provider=r[3],
        result=r[4],
        completed_on=r[5],
        expires_on=r[6],
        recorded_at=r[7],
        current=r[8],
    )


async def clearances_of_mentors(
    conn: Executor, mentor_ids: Sequence[UUID]
) -> dict[UUID, list[ClearanceView]]:
    """Each mentor's checks, latest record first; `current` marks the latest of each type."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM safeguarding_clearances c"  # noqa: S608 - constant SQL
        " WHERE c.mentor_id = ANY($1::uuid[]) ORDER BY c.mentor_id, c.seq DESC",
        list(mentor_ids),
    )
    return grouped((_view(r) for r in rows), "mentor_id")


async def clearances_expiring(conn: Executor, as_of: date, within_days: int) -> list[ClearanceView]:
    """Current clear checks that expire within `within_days` of `as_of`, or already have;
    soonest first."""
    rows = await conn.fetch(
        f"SELECT * FROM (SELECT {_COLUMNS} FROM safeguarding_clearances c"  # noqa: S608
        " WHERE c.result = 'clear' AND c.expires_on <= $1::date + $2::int) found"
        " WHERE current ORDER BY expires_on, mentor_id, check_type",
        as_of,
        within_days,
    )
    return [_view(r) for r in rows]


async def consents_of_students(
    conn: Executor, student_ids: Sequence[UUID]
) -> dict[UUID, list[ConsentView]]:
    """Each student's guardian consents, in the order they were recorded."""
    rows = await conn.fetch(
        "SELECT consent_id, student_id, program_id, guardian_name, relationship, given_on,"
        " recorded_at, withdrawn_reason, withdrawn_at FROM safeguarding_consents"
        " WHERE student_id = ANY($1::uuid[]) ORDER BY student_id, seq",
        list(student_ids),
    )
    return grouped(
        (
            ConsentView(
                id=r[0],
                student_id=r[1],
                program_id=r[2],
                guardian_name=r[3],
                relationship=r[4],
                given_on=r[5],
                recorded_at=r[6],
                withdrawn_reason=r[7],
                withdrawn_at=r[8],
            )
            for r in rows
        ),
        "student_id",
    )
