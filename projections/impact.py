"""`demographics`, and the impact report a school can publish to its partners.

The report's numbers are computed at query time from the other views (seats, completions,
hours, attendance, credentials, pathways, surveys), over the partnership's programs that ran
during the period, with breakdowns by program kind and by each self-reported demographic
field. A breakdown shows no group of fewer than `MIN_GROUP` students; when hiding one group
would still let it be worked out from the total, the next smallest is hidden too.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from bridgework.domain.student import Demographic, Student
from bridgework.projections import measures as m
from bridgework.projections.batch import InOrder
from bridgework.projections.surveys import SurveyDelta, survey_deltas

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.projections.db import Connection, Executor
    from bridgework.services.ports import StoredEvent

MIN_GROUP = 5
"""The fewest students a breakdown reports on, so no one can be picked out."""
NOT_REPORTED = "not reported"


class ImpactNumbers(msgspec.Struct, frozen=True, kw_only=True):
    """What a group of programs achieved with a group of students over a period: the impact
    report's numbers (`projections/impact.py`)."""

    students: int
    """Distinct students who held a seat."""
    seats: int
    """Seats held: a student in two programs counts twice."""
    completions: int
    completion_rate: float | None
    """Completions ÷ seats held."""
    hours_verified: Decimal
    """Verified by supervisors (approved ones included), for days worked in the period."""
    hours_approved: Decimal
    attendance_rate: float | None
    """Present ÷ marks at sessions held in the period (an excused absence is an absence)."""
    credentials: int
    """Earned in the period."""
    pathways: dict[str, int]
    """college_stem, internship_offer, job_offer, apprenticeship → students, in the period."""
    placements: int
    """Students with an internship offer, job offer or apprenticeship in the period."""
    surveys: list[SurveyDelta]
    """Per question, over answer pairs whose post survey falls in the period."""


class ImpactGroup(msgspec.Struct, frozen=True, kw_only=True):
    """One row of a breakdown; `numbers` is None when the group is too small to show."""

    label: str
    numbers: ImpactNumbers | None


class ImpactBreakdown(msgspec.Struct, frozen=True, kw_only=True):
    by: str
    """`program_kind`, or a demographic field such as `gender`."""
    groups: list[ImpactGroup]


class ImpactReport(msgspec.Struct, frozen=True, kw_only=True):
    partnership_id: UUID
    starts_on: date
    ends_on: date
    program_ids: list[UUID]
    """The partnership's programs that ran during the period."""
    totals: ImpactNumbers
    breakdowns: list[ImpactBreakdown]


SCHEMA = """
CREATE TABLE IF NOT EXISTS demographics_answers (
    student_id uuid NOT NULL, field text NOT NULL, value text NOT NULL,
    PRIMARY KEY (student_id, field)
);
"""

_FORGET = "DELETE FROM demographics_answers WHERE student_id = $1"
_ANSWER = "INSERT INTO demographics_answers VALUES ($1, $2, $3)"


class Demographics:
    name = "demographics"
    version = 1
    schema = SCHEMA
    tables = ("demographics_answers",)
    erases = ("DELETE FROM demographics_answers WHERE student_id = $1",)
    handles = frozenset({"DemographicsReported"})

    async def apply_batch(
        self, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
    ) -> None:
        writes = InOrder()  # a report replaces the one before, answers left out included
        for event, e in events:
            match e:
                case Student.DemographicsReported():
                    writes.add(_FORGET, e.originator_id)
                    for field, value in e.answers:
                        writes.add(_ANSWER, e.originator_id, str(field), value)
                case _:
                    raise TypeError(f"demographics does not handle {event.event_type}")
        await writes.flush(conn)


PROJECTIONS = (Demographics,)
"""This area's read models."""
_NUMBERS = f"""
WITH seats AS (
    SELECT program_id, student_id FROM outcome_seat_holders
    WHERE program_id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR student_id = ANY($2::uuid[]))
), marks AS (
    SELECT m.status FROM attendance_marks m
    JOIN attendance_sessions s USING (session_id)
    JOIN seats ON seats.program_id = m.program_id AND seats.student_id = m.student_id
    WHERE s.held_on BETWEEN $3 AND $4
), pathways AS (
    SELECT a.student_id, a.pathway
    FROM achievements_pathways a JOIN seats USING (program_id, student_id)
    WHERE a.on_date BETWEEN $3 AND $4
)
SELECT held.students, held.seats, done.completions, hours.verified, hours.approved,
       marked.present, marked.total, earned.credentials, went.pathways, went.students,
       placed.students
FROM (SELECT {m.STUDENTS} AS students, {m.SEATS} AS seats FROM seats) AS held,
     (SELECT {m.COMPLETIONS} AS completions
      FROM enrolment_entries e JOIN seats USING (program_id, student_id)) AS done,
     (SELECT {m.HOURS_VERIFIED} AS verified, {m.HOURS_APPROVED} AS approved
      FROM hours_entries h JOIN seats USING (program_id, student_id)
      WHERE h.worked_on BETWEEN $3 AND $4) AS hours,
     (SELECT {m.PRESENT} AS present, {m.MARKED} AS total FROM marks) AS marked,
     (SELECT {m.CREDENTIALS} AS credentials
      FROM achievements_credentials c JOIN seats USING (program_id, student_id)
      WHERE c.earned_on BETWEEN $3 AND $4) AS earned,
     (SELECT coalesce(array_agg(pathway ORDER BY pathway), '{{}}') AS pathways,
             coalesce(array_agg(n ORDER BY pathway), '{{}}') AS students
      FROM (SELECT pathway, count(DISTINCT student_id) AS n FROM pathways GROUP BY pathway)
           AS per) AS went,
     (SELECT {m.PLACED.format(placements="$5::text[]")} AS students FROM pathways) AS placed
"""  # noqa: S608 - built from constants
"""Over the seats the programs' (chosen) students held: the measures of `measures.py`,
of the period's activity (hours worked, sessions held, credentials earned, pathways taken
in it)."""


async def impact_numbers(
    conn: Executor,
    program_ids: Sequence[UUID],
    student_ids: Sequence[UUID] | None,
    starts_on: date,
    ends_on: date,
) -> ImpactNumbers:
    """The numbers for some programs and some of their students (None: all of them)."""
    students = None if student_ids is None else list(student_ids)
    (r,) = await conn.fetch(
        _NUMBERS, list(program_ids), students, starts_on, ends_on, m.PLACEMENT_PATHWAYS
    )
    seats, completions, present, marked = r[1], r[2], r[5], r[6]
    return ImpactNumbers(
        students=r[0],
        seats=seats,
        completions=completions,
        completion_rate=m.rate(completions, seats),
        hours_verified=Decimal(r[3]),
        hours_approved=Decimal(r[4]),
        attendance_rate=m.rate(present, marked),
        credentials=r[7],
        pathways=dict(zip(r[8], r[9], strict=True)),
        placements=r[10],
        surveys=await survey_deltas(conn, program_ids, student_ids, starts_on, ends_on),
    )


def suppress(groups: dict[str, list[UUID]]) -> set[str]:
    """The groups a breakdown must not show: each of fewer than `MIN_GROUP` students, and,
    if that leaves exactly one hidden, the next smallest too (else the total gives it away)."""
    hidden = {label for label, members in groups.items() if len(members) < MIN_GROUP}
    shown = sorted((len(m), label) for label, m in groups.items() if label not in hidden)
    if len(hidden) == 1 and shown:
        hidden.add(shown[0][1])
    return hidden


async def _breakdown(
    conn: Executor,
    by: str,
    groups: dict[str, tuple[list[UUID], list[UUID] | None]],
    starts_on: date,
    ends_on: date,
) -> ImpactBreakdown:
    """Each group is (its programs, its students or None for all of theirs)."""
    members = {
        label: students if students is not None else await _students_of(conn, programs)
        for label, (programs, students) in groups.items()
    }
    hidden = suppress(members)
    rows = []
    for label, (programs, students) in sorted(groups.items()):
        numbers = (
            None
            if label in hidden
            else await impact_numbers(conn, programs, students, starts_on, ends_on)
        )
        rows.append(ImpactGroup(label=label, numbers=numbers))
    return ImpactBreakdown(by=by, groups=rows)


async def _students_of(conn: Executor, program_ids: Sequence[UUID]) -> list[UUID]:
    rows = await conn.fetch(
        "SELECT DISTINCT student_id FROM outcome_seat_holders WHERE program_id = ANY($1::uuid[])",
        list(program_ids),
    )
    return [r[0] for r in rows]


async def impact_report(
    conn: Executor, partnership_id: UUID, starts_on: date, ends_on: date
) -> ImpactReport:
    """What a partnership's programs that ran between `starts_on` and `ends_on` achieved."""
    programs = await conn.fetch(
        "SELECT id, kind FROM directory_programs WHERE partnership_id = $1"
        " AND starts_on <= $3 AND ends_on >= $2 ORDER BY seq",
        partnership_id,
        starts_on,
        ends_on,
    )
    program_ids = [p[0] for p in programs]
    kinds: dict[str, tuple[list[UUID], list[UUID] | None]] = {}
    for program_id, kind in programs:
        kinds.setdefault(kind, ([], None))[0].append(program_id)
    students = await _students_of(conn, program_ids)
    answers = await conn.fetch(
        "SELECT student_id, field, value FROM demographics_answers"
        " WHERE student_id = ANY($1::uuid[])",
        students,
    )
    breakdowns = [await _breakdown(conn, "program_kind", kinds, starts_on, ends_on)]
    for field in Demographic:
        told = {r[0]: r[2].lower() for r in answers if r[1] == field}
        if not told:
            continue
        by_value: dict[str, list[UUID]] = {}
        for student in students:
            by_value.setdefault(told.get(student, NOT_REPORTED), []).append(student)
        groups: dict[str, tuple[list[UUID], list[UUID] | None]] = {
            v: (program_ids, s) for v, s in by_value.items()
        }
        breakdowns.append(await _breakdown(conn, str(field), groups, starts_on, ends_on))
    return ImpactReport(
        partnership_id=partnership_id,
        starts_on=starts_on,
        ends_on=ends_on,
        program_ids=program_ids,
        totals=await impact_numbers(conn, program_ids, None, starts_on, ends_on),
        breakdowns=breakdowns,
    )
