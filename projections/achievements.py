"""`achievements`: the credentials students earned and the pathways they took next."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from bridgework.domain.student import Student
from bridgework.projections.batch import Writes
from bridgework.projections.db import grouped
from bridgework.projections.scrub import scrub

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.projections.db import Connection, Executor
    from bridgework.services.ports import StoredEvent


class CredentialView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    student_id: UUID
    program_id: UUID | None
    name: str
    issuer: str
    earned_on: date


class PathwayView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    student_id: UUID
    program_id: UUID | None
    pathway: str
    organisation: str
    on: date


SCHEMA = """
CREATE TABLE IF NOT EXISTS achievements_credentials (
    credential_id uuid PRIMARY KEY, student_id uuid NOT NULL, program_id uuid,
    name text NOT NULL, issuer text NOT NULL, earned_on date NOT NULL, seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS achievements_credentials_by_student
    ON achievements_credentials (student_id, seq);
CREATE INDEX IF NOT EXISTS achievements_credentials_by_program
    ON achievements_credentials (program_id);
CREATE TABLE IF NOT EXISTS achievements_pathways (
    pathway_id uuid PRIMARY KEY, student_id uuid NOT NULL, program_id uuid,
    pathway text NOT NULL, organisation text NOT NULL, on_date date NOT NULL,
    seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS achievements_pathways_by_student
    ON achievements_pathways (student_id, seq);
CREATE INDEX IF NOT EXISTS achievements_pathways_by_program ON achievements_pathways (program_id);
"""

_CREDENTIAL = "INSERT INTO achievements_credentials VALUES ($1, $2, $3, $4, $5, $6, $7)"
_PATHWAY = "INSERT INTO achievements_pathways VALUES ($1, $2, $3, $4, $5, $6, $7)"


class Achievements:
    name = "achievements"
    version = 1
    schema = SCHEMA
    tables = ("achievements_credentials", "achievements_pathways")
    erases = (scrub("achievements_pathways", "organisation"),)
    handles = frozenset({"CredentialEarned", "PathwayRecorded"})

    async def apply_batch(
        self, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
    ) -> None:
        writes = Writes(_CREDENTIAL, _PATHWAY)
        for event, e in events:
            match e:
                case Student.CredentialEarned():
                    writes.add(
                        _CREDENTIAL,
                        e.credential_id,
                        e.originator_id,
                        e.program_id,
                        e.name,
                        e.issuer,
                        e.earned_on,
                        event.position,
                    )
                case Student.PathwayRecorded():
                    writes.add(
                        _PATHWAY,
                        e.pathway_id,
                        e.originator_id,
                        e.program_id,
                        str(e.pathway),
                        e.organisation,
                        e.on,
                        event.position,
                    )
                case _:
                    raise TypeError(f"achievements does not handle {event.event_type}")
        await writes.flush(conn)


PROJECTIONS = (Achievements,)
"""This area's read models."""


async def credentials_of_students(
    conn: Executor, student_ids: Sequence[UUID]
) -> dict[UUID, list[CredentialView]]:
    rows = await conn.fetch(
        "SELECT credential_id, student_id, program_id, name, issuer, earned_on"
        " FROM achievements_credentials WHERE student_id = ANY($1::uuid[])"
        " ORDER BY student_id, earned_on, seq",
        list(student_ids),
    )
    return grouped(
        (
            CredentialView(
                id=r[0],
                student_id=r[1],
                program_id=r[2],
                name=r[3],
                issuer=r[4],
                earned_on=r[5],
            )
            for r in rows
        ),
        "student_id",
    )


async def pathways_of_students(
    conn: Executor, student_ids: Sequence[UUID]
) -> dict[UUID, list[PathwayView]]:
    rows = await conn.fetch(
        "SELECT pathway_id, student_id, program_id, pathway, organisation, on_date"
        " FROM achievements_pathways WHERE student_id = ANY($1::uuid[])"
        " ORDER BY student_id, on_date, seq",
        list(student_ids),
    )
    return grouped(
        (
            PathwayView(
                id=r[0],
                student_id=r[1],
                program_id=r[2],
                pathway=r[3],
                organisation=r[4],
                on=r[5],
            )
            for r in rows
        ),
        "student_id",
    )
