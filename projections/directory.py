"""`directory`: organisations, partnerships, programs, students and mentors, by id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bridgework.domain.mentor import Mentor
from bridgework.domain.organisation import Organisation
from bridgework.domain.partnership import Partnership
from bridgework.domain.program import Program
from bridgework.domain.student import Student
from bridgework.projections.batch import Writes
from bridgework.projections.views import (
    MentorView,
    OrganisationView,
    PartnershipView,
    ProgramView,
    StudentView,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    import asyncpg
    from bridgework.projections.views import Connection, Executor
    from bridgework.services.ports import StoredEvent

SCHEMA = """
CREATE TABLE IF NOT EXISTS directory_organisations (
    id uuid PRIMARY KEY, name text NOT NULL, kind text NOT NULL,
    registered_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS directory_partnerships (
    id uuid PRIMARY KEY, name text NOT NULL, organisation_ids uuid[] NOT NULL,
    goals text[] NOT NULL, formed_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS directory_programs (
    id uuid PRIMARY KEY, partnership_id uuid NOT NULL, name text NOT NULL, kind text NOT NULL,
    capacity integer NOT NULL, starts_on date NOT NULL, ends_on date NOT NULL,
    launched_at timestamptz NOT NULL, seq bigint NOT NULL UNIQUE,
    min_grade integer, max_grade integer, min_age integer, max_age integer,
    prerequisite_ids uuid[] NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS directory_programs_by_partnership
    ON directory_programs (partnership_id, seq);
CREATE INDEX IF NOT EXISTS directory_programs_by_kind ON directory_programs (kind, seq);
CREATE TABLE IF NOT EXISTS directory_students (
    id uuid PRIMARY KEY, name text NOT NULL, grade integer, school_id uuid,
    registered_at timestamptz NOT NULL, date_of_birth date
);
CREATE TABLE IF NOT EXISTS directory_mentors (
    id uuid PRIMARY KEY, name text NOT NULL, organisation_id uuid NOT NULL,
    capacity integer NOT NULL, active_mentees integer NOT NULL DEFAULT 0
);
"""


class Directory:
    name = "directory"
    version = 2
    schema = SCHEMA
    tables = (
        "directory_organisations",
        "directory_partnerships",
        "directory_programs",
        "directory_students",
        "directory_mentors",
    )
    handles = frozenset(
        {
            "OrganisationRegistered",
            "PartnershipFormed",
            "ProgramLaunched",
            "EligibilitySet",
            "StudentRegistered",
            "MentorRegistered",
            "MenteeTaken",
            "MenteeReleased",
        }
    )

    async def apply_batch(
        self, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
    ) -> None:
        writes = Writes(
            _ORGANISATION, _PARTNERSHIP, _PROGRAM_ROW, _STUDENT, _MENTOR, _MENTEES, _ELIGIBILITY
        )
        for event, e in events:
            writes.add(*_write(event, e))
        await writes.flush(conn)


def _write(event: StoredEvent, e: Any) -> tuple[Any, ...]:  # noqa: PLR0911 - one case per event
    """The statement and arguments that record one event."""
    match e:
        case Organisation.OrganisationRegistered():
            return (_ORGANISATION, e.originator_id, e.name, str(e.kind), e.timestamp)
        case Partnership.PartnershipFormed():
            return (
                _PARTNERSHIP, e.originator_id, e.name, list(e.organisation_ids), list(e.goals),
                e.timestamp,
            )  # fmt: skip
        case Program.ProgramLaunched():
            return (
                _PROGRAM_ROW, e.originator_id, e.partnership_id, e.name, str(e.kind), e.capacity,
                e.starts_on, e.ends_on, e.timestamp, event.position,
            )  # fmt: skip
        case Program.EligibilitySet():
            return (
                _ELIGIBILITY, e.originator_id, e.min_grade, e.max_grade, e.min_age, e.max_age,
                list(e.prerequisite_ids),
            )  # fmt: skip
        case Student.StudentRegistered():
            return (
                _STUDENT, e.originator_id, e.name, e.grade, e.school_id, e.timestamp,
                e.date_of_birth,
            )  # fmt: skip
        case Mentor.MentorRegistered():
            return (_MENTOR, e.originator_id, e.name, e.organisation_id, e.capacity)
        case Mentor.MenteeTaken():
            return (_MENTEES, e.originator_id, 1)
        case Mentor.MenteeReleased():
            return (_MENTEES, e.originator_id, -1)
        case _:
            raise TypeError(f"directory does not handle {event.event_type}")


_ORGANISATION = "INSERT INTO directory_organisations VALUES ($1, $2, $3, $4)"
_PARTNERSHIP = "INSERT INTO directory_partnerships VALUES ($1, $2, $3, $4, $5)"
_PROGRAM_ROW = "INSERT INTO directory_programs VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
_STUDENT = "INSERT INTO directory_students VALUES ($1, $2, $3, $4, $5, $6)"
_ELIGIBILITY = """UPDATE directory_programs SET min_grade = $2, max_grade = $3, min_age = $4,
    max_age = $5, prerequisite_ids = $6 WHERE id = $1"""
_MENTOR = "INSERT INTO directory_mentors VALUES ($1, $2, $3, $4, 0)"
_MENTEES = "UPDATE directory_mentors SET active_mentees = active_mentees + $2 WHERE id = $1"

_PROGRAM = (
    "SELECT id, partnership_id, name, kind, capacity, starts_on, ends_on, launched_at, seq,"
    " min_grade, max_grade, min_age, max_age, prerequisite_ids FROM directory_programs"
)


def _program(r: asyncpg.Record) -> ProgramView:
    return ProgramView(
        id=r[0], partnership_id=r[1], name=r[2], kind=r[3], capacity=r[4],
        starts_on=r[5], ends_on=r[6], launched_at=r[7], seq=r[8], min_grade=r[9],
        max_grade=r[10], min_age=r[11], max_age=r[12], prerequisite_ids=r[13],
    )  # fmt: skip


async def organisations(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, OrganisationView]:
    rows = await conn.fetch(
        "SELECT id, name, kind, registered_at FROM directory_organisations"
        " WHERE id = ANY($1::uuid[])",
        list(ids),
    )
    return {r[0]: OrganisationView(id=r[0], name=r[1], kind=r[2], registered_at=r[3]) for r in rows}


async def partnerships(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, PartnershipView]:
    rows = await conn.fetch(
        "SELECT id, name, organisation_ids, goals, formed_at FROM directory_partnerships"
        " WHERE id = ANY($1::uuid[])",
        list(ids),
    )
    return {
        r[0]: PartnershipView(id=r[0], name=r[1], organisation_ids=r[2], goals=r[3], formed_at=r[4])
        for r in rows
    }


async def programs(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, ProgramView]:
    rows = await conn.fetch(f"{_PROGRAM} WHERE id = ANY($1::uuid[])", list(ids))
    return {r[0]: _program(r) for r in rows}


async def programs_of_partnerships(
    conn: Executor, partnership_ids: Sequence[UUID]
) -> dict[UUID, list[ProgramView]]:
    rows = await conn.fetch(
        f"{_PROGRAM} WHERE partnership_id = ANY($1::uuid[]) ORDER BY seq", list(partnership_ids)
    )
    found: dict[UUID, list[ProgramView]] = {}
    for r in rows:
        found.setdefault(r[1], []).append(_program(r))
    return found


async def list_programs(
    conn: Executor,
    *,
    after_seq: int | None,
    limit: int,
    kind: str | None = None,
    partnership_id: UUID | None = None,
) -> list[ProgramView]:
    """Programs in launch order, after the cursor `after_seq`, optionally filtered."""
    rows = await conn.fetch(
        f"{_PROGRAM} WHERE seq > $1 AND ($2::text IS NULL OR kind = $2)"
        " AND ($3::uuid IS NULL OR partnership_id = $3) ORDER BY seq LIMIT $4",
        after_seq or 0,
        kind,
        partnership_id,
        limit,
    )
    return [_program(r) for r in rows]


async def students(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, StudentView]:
    rows = await conn.fetch(
        "SELECT id, name, grade, school_id, registered_at, date_of_birth FROM directory_students"
        " WHERE id = ANY($1::uuid[])",
        list(ids),
    )
    return {
        r[0]: StudentView(
            id=r[0],
            name=r[1],
            grade=r[2],
            school_id=r[3],
            registered_at=r[4],
            date_of_birth=r[5],
        )
        for r in rows
    }


async def mentors(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, MentorView]:
    rows = await conn.fetch(
        "SELECT id, name, organisation_id, capacity, active_mentees FROM directory_mentors"
        " WHERE id = ANY($1::uuid[])",
        list(ids),
    )
    return {
        r[0]: MentorView(
            id=r[0], name=r[1], organisation_id=r[2], capacity=r[3], active_mentees=r[4]
        )
        for r in rows
    }
