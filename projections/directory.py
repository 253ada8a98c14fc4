"""`directory`: organisations, partnerships, programs, students and mentors, by id."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from bridgework.domain.mentor import Mentor
from bridgework.domain.organisation import Organisation
from bridgework.domain.partnership import Partnership
from bridgework.domain.program import Program
from bridgework.domain.student import Student
from bridgework.projections.batch import Writes
from bridgework.projections.db import grouped
from bridgework.projections.scrub import scrub

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from bridgework.projections.db import Connection, Executor
    from bridgework.services.ports import StoredEvent


class OrganisationView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    kind: str
    registered_at: datetime


class PartnershipView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    organisation_ids: list[UUID]
    goals: list[str]
    formed_at: datetime


class ProgramView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    partnership_id: UUID
    name: str
    kind: str
    capacity: int
    starts_on: date
    ends_on: date
    launched_at: datetime
    seq: int
    """Global position of the launch event: the stable order and cursor of program lists."""
    min_grade: int | None = None
    max_grade: int | None = None
    min_age: int | None = None
    """Ages are on the program's start date."""
    max_age: int | None = None
    prerequisite_ids: list[UUID] = msgspec.field(default_factory=list)
    """Programs a student must have completed first."""


class StudentView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    grade: int | None
    school_id: UUID | None
    registered_at: datetime
    date_of_birth: date | None = None


class MentorView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    organisation_id: UUID
    capacity: int
    active_mentees: int


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
    erases = (scrub("directory_students", "name", key="id", also="date_of_birth = NULL"),)
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


PROJECTIONS = (Directory,)
"""This area's read models."""


def _write(event: StoredEvent, e: Any) -> tuple[Any, ...]:  # noqa: PLR0911 - one case per event
    """The statement and arguments that record one event."""
    i, at = e.originator_id, e.timestamp
    match e:
        case Organisation.OrganisationRegistered():
            return (_ORGANISATION, i, e.name, str(e.kind), at)
        case Partnership.PartnershipFormed():
            return (_PARTNERSHIP, i, e.name, list(e.organisation_ids), list(e.goals), at)
        case Program.ProgramLaunched():
            term = (e.starts_on, e.ends_on)
            row = (i, e.partnership_id, e.name, str(e.kind), e.capacity, *term, at)
            return (_PROGRAM_ROW, *row, event.position)
        case Program.EligibilitySet():
            ages = (e.min_age, e.max_age)
            return (_ELIGIBILITY, i, e.min_grade, e.max_grade, *ages, list(e.prerequisite_ids))
        case Student.StudentRegistered():
            return (_STUDENT, i, e.name, e.grade, e.school_id, at, e.date_of_birth)
        case Mentor.MentorRegistered():
            return (_MENTOR, i, e.name, e.organisation_id, e.capacity)
        case Mentor.MenteeTaken():
            return (_MENTEES, i, 1)
        case Mentor.MenteeReleased():
            return (_MENTEES, i, -1)
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
"""Its columns are named as `ProgramView`'s fields."""


async def organisations(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, OrganisationView]:
    rows = await conn.fetch(
        "SELECT id, name, kind, registered_at FROM directory_organisations"
        " WHERE id = ANY($1::uuid[])",
        list(ids),
    )
    return {r[0]: OrganisationView(**dict(r)) for r in rows}


async def partnerships(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, PartnershipView]:
    rows = await conn.fetch(
        "SELECT id, name, organisation_ids, goals, formed_at FROM directory_partnerships"
        " WHERE id = ANY($1::uuid[])",
        list(ids),
    )
    return {r[0]: PartnershipView(**dict(r)) for r in rows}


async def programs(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, ProgramView]:
    rows = await conn.fetch(f"{_PROGRAM} WHERE id = ANY($1::uuid[])", list(ids))
    return {r[0]: ProgramView(**dict(r)) for r in rows}


async def programs_of_partnerships(
    conn: Executor, partnership_ids: Sequence[UUID]
) -> dict[UUID, list[ProgramView]]:
    rows = await conn.fetch(
        f"{_PROGRAM} WHERE partnership_id = ANY($1::uuid[]) ORDER BY seq", list(partnership_ids)
    )
    return grouped((ProgramView(**dict(r)) for r in rows), "partnership_id")


async def partnerships_of(
    conn: Executor, organisation_ids: Sequence[UUID]
) -> dict[UUID, list[UUID]]:
    """The partnerships one of these organisations belongs to, with their members."""
    rows = await conn.fetch(
        "SELECT id, organisation_ids FROM directory_partnerships"
        " WHERE organisation_ids && $1::uuid[]",
        list(organisation_ids),
    )
    return {r[0]: r[1] for r in rows}


async def list_programs(
    conn: Executor,
    *,
    after_seq: int | None,
    limit: int,
    kind: str | None = None,
    partnership_id: UUID | None = None,
    of_organisations: Collection[UUID] | None = None,
) -> list[ProgramView]:
    """Programs in launch order, after the cursor `after_seq`, optionally filtered (by kind,
    partnership, or the organisations whose partnerships run them)."""
    rows = await conn.fetch(
        f"{_PROGRAM} WHERE seq > $1 AND ($2::text IS NULL OR kind = $2)"  # noqa: S608 - constant
        " AND ($3::uuid IS NULL OR partnership_id = $3)"
        " AND ($5::uuid[] IS NULL OR partnership_id IN (SELECT id FROM directory_partnerships"
        " WHERE organisation_ids && $5::uuid[])) ORDER BY seq LIMIT $4",
        after_seq or 0,
        kind,
        partnership_id,
        limit,
        None if of_organisations is None else list(of_organisations),
    )
    return [ProgramView(**dict(r)) for r in rows]


async def students(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, StudentView]:
    rows = await conn.fetch(
        "SELECT id, name, grade, school_id, registered_at, date_of_birth FROM directory_students"
        " WHERE id = ANY($1::uuid[])",
        list(ids),
    )
    return {r[0]: StudentView(**dict(r)) for r in rows}


async def mentors(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, MentorView]:
    rows = await conn.fetch(
        "SELECT id, name, organisation_id, capacity, active_mentees FROM directory_mentors"
        " WHERE id = ANY($1::uuid[])",
        list(ids),
    )
    return {r[0]: MentorView(**dict(r)) for r in rows}
