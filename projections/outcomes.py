"""`outcome`: what programs achieved: showcases, presenters, completions, mentoring."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from bridgework.domain.program import Program
from bridgework.projections.batch import Writes
from bridgework.projections.db import grouped
from bridgework.projections.measures import rate

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.projections.db import Connection, Executor
    from bridgework.services.ports import StoredEvent

# Sets rather than counters: "distinct students who…" stays right however often a fact
# repeats, and every count is one indexed range scan at query time.


class ProgramOutcomeView(msgspec.Struct, frozen=True, kw_only=True):
    program_id: UUID
    showcases_held: int
    students_presented: int
    """Distinct students who presented at one or more showcases."""
    completions: int
    completion_rate: float | None
    """Completions ÷ students who ever held a seat; None before anyone has."""
    mentors_assigned: int
    """Distinct mentors ever assigned in the program."""
    students_mentored: int


class ShowcaseView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    program_id: UUID
    title: str
    held_on: date
    presenter_ids: list[UUID]
    attending_organisation_ids: list[UUID]


SCHEMA = """
CREATE TABLE IF NOT EXISTS outcome_programs (
    program_id uuid PRIMARY KEY, completions integer NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS outcome_seat_holders (
    program_id uuid NOT NULL, student_id uuid NOT NULL, PRIMARY KEY (program_id, student_id)
);
CREATE TABLE IF NOT EXISTS outcome_presenters (
    program_id uuid NOT NULL, student_id uuid NOT NULL, PRIMARY KEY (program_id, student_id)
);
CREATE TABLE IF NOT EXISTS outcome_mentorships (
    program_id uuid NOT NULL, mentor_id uuid NOT NULL, student_id uuid NOT NULL,
    PRIMARY KEY (program_id, mentor_id, student_id)
);
CREATE TABLE IF NOT EXISTS outcome_showcases (
    id uuid PRIMARY KEY, program_id uuid NOT NULL, title text NOT NULL, held_on date NOT NULL,
    presenter_ids uuid[] NOT NULL, attending_organisation_ids uuid[] NOT NULL,
    seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS outcome_showcases_by_program
    ON outcome_showcases (program_id, held_on, seq);
"""

_PROGRAM = "INSERT INTO outcome_programs VALUES ($1, 0)"
_SEAT = "INSERT INTO outcome_seat_holders VALUES ($1, $2) ON CONFLICT DO NOTHING"
_MENTORSHIP = "INSERT INTO outcome_mentorships VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
_SHOWCASE = "INSERT INTO outcome_showcases VALUES ($1, $2, $3, $4, $5, $6, $7)"
_PRESENTER = "INSERT INTO outcome_presenters VALUES ($1, $2) ON CONFLICT DO NOTHING"
_COMPLETION = "UPDATE outcome_programs SET completions = completions + 1 WHERE program_id = $1"


class Outcome:
    name = "outcome"
    version = 1
    schema = SCHEMA
    tables = (
        "outcome_programs",
        "outcome_seat_holders",
        "outcome_presenters",
        "outcome_mentorships",
        "outcome_showcases",
    )
    handles = frozenset(
        {
            "ProgramLaunched",
            "StudentEnrolled",
            "StudentPromotedFromWaitlist",
            "EnrolmentCompleted",
            "MentorAssigned",
            "ShowcaseRecorded",
        }
    )

    async def apply_batch(
        self, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
    ) -> None:
        # Sets and a counter: the writes commute, so grouping them by statement is safe.
        writes = Writes(_PROGRAM, _SEAT, _MENTORSHIP, _SHOWCASE, _PRESENTER, _COMPLETION)
        for event, e in events:
            program = e.originator_id
            match e:
                case Program.ProgramLaunched():
                    writes.add(_PROGRAM, program)
                case Program.StudentEnrolled() | Program.StudentPromotedFromWaitlist():
                    writes.add(_SEAT, program, e.student_id)
                case Program.EnrolmentCompleted():
                    writes.add(_COMPLETION, program)
                case Program.MentorAssigned():
                    writes.add(_MENTORSHIP, program, e.mentor_id, e.student_id)
                case Program.ShowcaseRecorded():
                    writes.add(
                        _SHOWCASE,
                        e.showcase_id,
                        program,
                        e.title,
                        e.held_on,
                        list(e.presenter_ids),
                        list(e.attending_organisation_ids),
                        event.position,
                    )
                    for student_id in e.presenter_ids:
                        writes.add(_PRESENTER, program, student_id)
                case _:
                    raise TypeError(f"outcome does not handle {event.event_type}")
        await writes.flush(conn)


PROJECTIONS = (Outcome,)
"""This area's read models."""


async def program_outcomes(
    conn: Executor, program_ids: Sequence[UUID]
) -> dict[UUID, ProgramOutcomeView]:
    rows = await conn.fetch(
        """
        SELECT p.program_id,
               (SELECT count(*) FROM outcome_showcases s WHERE s.program_id = p.program_id),
               (SELECT count(*) FROM outcome_presenters s WHERE s.program_id = p.program_id),
               p.completions,
               (SELECT count(*) FROM outcome_seat_holders s WHERE s.program_id = p.program_id),
               (SELECT count(DISTINCT mentor_id) FROM outcome_mentorships m
                WHERE m.program_id = p.program_id),
               (SELECT count(DISTINCT student_id) FROM outcome_mentorships m
                WHERE m.program_id = p.program_id)
        FROM outcome_programs p
        WHERE p.program_id = ANY($1::uuid[])
        """,
        list(program_ids),
    )
    return {
        r[0]: ProgramOutcomeView(
            program_id=r[0],
            showcases_held=r[1],
            students_presented=r[2],
            completions=r[3],
            completion_rate=rate(r[3], r[4]),
            mentors_assigned=r[5],
            students_mentored=r[6],
        )
        for r in rows
    }


async def showcases_of_programs(
    conn: Executor, program_ids: Sequence[UUID]
) -> dict[UUID, list[ShowcaseView]]:
    """Each program's showcases, earliest first (recording order breaks ties)."""
    rows = await conn.fetch(
        "SELECT id, program_id, title, held_on, presenter_ids, attending_organisation_ids"
        " FROM outcome_showcases WHERE program_id = ANY($1::uuid[])"
        " ORDER BY program_id, held_on, seq",
        list(program_ids),
    )
    return grouped(
        (
            ShowcaseView(
                id=r[0],
                program_id=r[1],
                title=r[2],
                held_on=r[3],
                presenter_ids=r[4],
                attending_organisation_ids=r[5],
            )
            for r in rows
        ),
        "program_id",
    )
