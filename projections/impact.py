"""`demographics`, and the impact report a school can publish to its partners.

The report's numbers are computed at query time from the other views (seats, completions,
hours, attendance, credentials, pathways, surveys), over the partnership's programs that ran
during the period, with breakdowns by program kind and by each self-reported demographic
field. A breakdown shows no group of fewer than `MIN_GROUP` students; when hiding one group
would still let it be worked out from the total, the next smallest is hidden too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bridgework.domain.student import PLACEMENTS, Demographic, Student
from bridgework.projections.batch import InOrder
from bridgework.projections.surveys import survey_deltas
from bridgework.projections.views import ImpactBreakdown, ImpactGroup, ImpactNumbers, ImpactReport

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date
    from uuid import UUID

    from bridgework.projections.views import Connection, Executor
    from bridgework.services.ports import StoredEvent

MIN_GROUP = 5
"""The fewest students a breakdown reports on, so no one can be picked out."""
NOT_REPORTED = "not reported"

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


_NUMBERS = """
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
FROM (SELECT count(DISTINCT student_id) AS students, count(*) AS seats FROM seats) AS held,
     (SELECT count(*) AS completions
      FROM enrolment_entries e JOIN seats USING (program_id, student_id)
      WHERE e.status = 'COMPLETED') AS done,
     (SELECT coalesce(sum(h.hours) FILTER (WHERE h.status IN ('verified', 'approved')), 0)
                 AS verified,
             coalesce(sum(h.hours) FILTER (WHERE h.status = 'approved'), 0) AS approved
      FROM hours_entries h JOIN seats USING (program_id, student_id)
      WHERE h.worked_on BETWEEN $3 AND $4) AS hours,
     (SELECT count(*) FILTER (WHERE status = 'present') AS present, count(*) AS total
      FROM marks) AS marked,
     (SELECT count(*) AS credentials
      FROM achievements_credentials c JOIN seats USING (program_id, student_id)
      WHERE c.earned_on BETWEEN $3 AND $4) AS earned,
     (SELECT coalesce(array_agg(pathway ORDER BY pathway), '{}') AS pathways,
             coalesce(array_agg(n ORDER BY pathway), '{}') AS students
      FROM (SELECT pathway, count(DISTINCT student_id) AS n FROM pathways GROUP BY pathway)
           AS per) AS went,
     (SELECT count(DISTINCT student_id) AS students
      FROM pathways WHERE pathway = ANY($5::text[])) AS placed
"""


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
        _NUMBERS, list(program_ids), students, starts_on, ends_on, sorted(PLACEMENTS)
    )
    seats, completions, present, marked = r[1], r[2], r[5], r[6]
    return ImpactNumbers(
        students=r[0],
        seats=seats,
        completions=completions,
        completion_rate=completions / seats if seats else None,
        hours_verified=Decimal(r[3]),
        hours_approved=Decimal(r[4]),
        attendance_rate=present / marked if marked else None,
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
