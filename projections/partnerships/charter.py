"""A partnership's charter: each partner's role and commitments, and the success metrics
it set, with where each stands.

Measured metrics are counted at query time by the measures of `projections/measures.py`,
over the partnership's programs (of the metric's kind, if it names one), so a metric always
agrees with the numbers shown beside it and nothing is counted twice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from bridgework.domain.charter import MetricMeasure
from bridgework.domain.partnership import Partnership
from bridgework.projections import measures as m
from bridgework.projections.db import grouped

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.projections.batch import Writes
    from bridgework.projections.db import Executor
    from bridgework.services.ports import StoredEvent


P = Partnership


class PartnerRoleView(msgspec.Struct, frozen=True, kw_only=True):
    partnership_id: UUID
    organisation_id: UUID
    role: str
    commitments: list[str]


class MetricValueView(msgspec.Struct, frozen=True, kw_only=True):
    value: Decimal
    recorded_for: date
    note: str


class SuccessMetricView(msgspec.Struct, frozen=True, kw_only=True):
    """A charter's success metric, its target and where it stands today."""

    id: UUID
    partnership_id: UUID
    name: str
    measure: str
    target: Decimal
    unit: str
    baseline: Decimal | None
    due_on: date | None
    program_kind: str | None
    defined_on: date
    retired_reason: str | None
    question: str | None
    """The survey question a SURVEY_IMPROVED metric follows (None: every question)."""
    current: Decimal | None
    """Measured from the views, or the latest recorded value of a manual metric."""
    values: list[MetricValueView]
    """Recorded values of a manual metric, oldest first."""


SCHEMA = """
CREATE TABLE IF NOT EXISTS partnership_roles (
    partnership_id uuid NOT NULL, organisation_id uuid NOT NULL, role text NOT NULL,
    commitments text[] NOT NULL, PRIMARY KEY (partnership_id, organisation_id)
);
CREATE TABLE IF NOT EXISTS partnership_metrics (
    metric_id uuid PRIMARY KEY, partnership_id uuid NOT NULL, name text NOT NULL,
    measure text NOT NULL, target numeric NOT NULL, unit text NOT NULL, baseline numeric,
    due_on date, program_kind text, defined_on date NOT NULL, retired_reason text,
    seq bigint NOT NULL, question text
);
CREATE INDEX IF NOT EXISTS partnership_metrics_by_partnership
    ON partnership_metrics (partnership_id, seq);
CREATE TABLE IF NOT EXISTS partnership_metric_values (
    metric_id uuid NOT NULL, position bigint NOT NULL, value numeric NOT NULL,
    recorded_for date NOT NULL, note text NOT NULL, PRIMARY KEY (metric_id, position)
);
"""
TABLES = ("partnership_roles", "partnership_metrics", "partnership_metric_values")
HANDLES = frozenset(
    {"PartnerRoleSet", "SuccessMetricDefined", "SuccessMetricRetired", "MetricValueRecorded"}
)

_ROLE = """INSERT INTO partnership_roles VALUES ($1, $2, $3, $4)
ON CONFLICT (partnership_id, organisation_id)
DO UPDATE SET role = excluded.role, commitments = excluded.commitments"""
_METRIC = """INSERT INTO partnership_metrics
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, $12)"""
_VALUE = "INSERT INTO partnership_metric_values VALUES ($1, $2, $3, $4, $5)"
_RETIRE = "UPDATE partnership_metrics SET retired_reason = $2 WHERE metric_id = $1"
STATEMENTS = (_ROLE, _METRIC, _VALUE, _RETIRE)
"""In the order they are written: the update after the insert it may touch."""


def write(writes: Writes, event: StoredEvent, e: Any) -> None:
    p, seq = e.originator_id, event.position
    match e:
        case P.PartnerRoleSet():
            writes.add(_ROLE, p, e.organisation_id, e.role, list(e.commitments))
        case P.SuccessMetricDefined():
            goal = (e.name, str(e.measure), e.target, e.unit, e.baseline, e.due_on)
            chosen = (e.program_kind, e.timestamp.date())
            writes.add(_METRIC, e.metric_id, p, *goal, *chosen, seq, e.question)
        case P.SuccessMetricRetired():
            writes.add(_RETIRE, e.metric_id, e.reason)
        case P.MetricValueRecorded():
            writes.add(_VALUE, e.metric_id, seq, e.value, e.recorded_for, e.note)


async def partner_roles(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, list[PartnerRoleView]]:
    rows = await conn.fetch(
        "SELECT partnership_id, organisation_id, role, commitments FROM partnership_roles"
        " WHERE partnership_id = ANY($1::uuid[]) ORDER BY partnership_id, role",
        list(ids),
    )
    return grouped((PartnerRoleView(**dict(r)) for r in rows), "partnership_id")


_PAIRS = m.ANSWER_PAIRS.format(
    where="program_id = ANY(chosen.ids) AND (m.question IS NULL OR question = m.question)",
    having="",
)
_MEASURED = f"""
SELECT m.metric_id, seats.students, done.completions, seats.held, shown.presenters,
       mentored.students AS mentored, earned.credentials, went.placed, hours.verified,
       hours.approved, marks.present, marks.marked, pairs.improved, pairs.n
FROM partnership_metrics m
CROSS JOIN LATERAL (
    SELECT coalesce(array_agg(p.id), '{{}}') AS ids FROM directory_programs p
    WHERE p.partnership_id = m.partnership_id
      AND (m.program_kind IS NULL OR p.kind = m.program_kind)
) AS chosen
CROSS JOIN LATERAL (
    SELECT {m.STUDENTS} AS students, {m.SEATS} AS held
    FROM outcome_seat_holders WHERE program_id = ANY(chosen.ids)
) AS seats
CROSS JOIN LATERAL (
    SELECT {m.COMPLETIONS} AS completions
    FROM enrolment_entries WHERE program_id = ANY(chosen.ids)
) AS done
CROSS JOIN LATERAL (
    SELECT count(DISTINCT student_id) AS presenters
    FROM outcome_presenters WHERE program_id = ANY(chosen.ids)
) AS shown
CROSS JOIN LATERAL (
    SELECT count(DISTINCT student_id) AS students
    FROM outcome_mentorships WHERE program_id = ANY(chosen.ids)
) AS mentored
CROSS JOIN LATERAL (
    SELECT {m.CREDENTIALS} AS credentials
    FROM achievements_credentials WHERE program_id = ANY(chosen.ids)
) AS earned
CROSS JOIN LATERAL (
    SELECT {m.PLACED.format(placements="$2::text[]")} AS placed
    FROM achievements_pathways WHERE program_id = ANY(chosen.ids)
) AS went
CROSS JOIN LATERAL (
    SELECT {m.HOURS_VERIFIED} AS verified, {m.HOURS_APPROVED} AS approved
    FROM hours_entries WHERE program_id = ANY(chosen.ids)
) AS hours
CROSS JOIN LATERAL (
    SELECT {m.PRESENT} AS present, {m.MARKED} AS marked
    FROM attendance_marks WHERE program_id = ANY(chosen.ids)
) AS marks
CROSS JOIN LATERAL (
    SELECT {m.IMPROVED} AS improved, {m.PAIRS} AS n FROM ({_PAIRS}) AS answered
) AS pairs
WHERE m.metric_id = ANY($1::uuid[])
"""  # noqa: S608 - built from constants
"""Per metric, over its programs (of its kind, if it names one): the measures it may follow."""

_COUNTS = {
    MetricMeasure.ENROLMENTS: "students",
    MetricMeasure.COMPLETIONS: "completions",
    MetricMeasure.PRESENTERS: "presenters",
    MetricMeasure.STUDENTS_MENTORED: "mentored",
    MetricMeasure.CREDENTIALS: "credentials",
    MetricMeasure.PLACEMENTS: "placed",
    MetricMeasure.HOURS_VERIFIED: "verified",
    MetricMeasure.HOURS_APPROVED: "approved",
}
_RATES = {
    MetricMeasure.COMPLETION_RATE: ("completions", "held"),
    MetricMeasure.ATTENDANCE_RATE: ("present", "marked"),
    MetricMeasure.SURVEY_IMPROVED: ("improved", "n"),
}
"""A rate's part and whole: completions of the seats held (a student in two programs
counts twice, as in each program's completion rate), marks present of all marks, answer
pairs improved of all pairs."""


def _measure(measure: str, row: Any) -> Decimal:
    """A measured metric's value from its row of `_MEASURED`."""
    if measure in _RATES:
        part, whole = _RATES[MetricMeasure(measure)]
        return m.percent(row[part], row[whole])
    return Decimal(row[_COUNTS[MetricMeasure(measure)]])


async def success_metrics(
    conn: Executor, ids: Sequence[UUID]
) -> dict[UUID, list[SuccessMetricView]]:
    """Each partnership's metrics in the order they were defined, with their current values."""
    rows = await conn.fetch(
        "SELECT metric_id AS id, partnership_id, name, measure, target, unit, baseline, due_on,"
        " program_kind, defined_on, retired_reason, question FROM partnership_metrics"
        " WHERE partnership_id = ANY($1::uuid[]) ORDER BY partnership_id, seq",
        list(ids),
    )
    values = grouped(
        await conn.fetch(
            "SELECT metric_id, value, recorded_for, note FROM partnership_metric_values"
            " WHERE metric_id = ANY($1::uuid[]) ORDER BY metric_id, recorded_for, position",
            [r[0] for r in rows],
        ),
        itemgetter(0),
    )
    measured_ids = [r[0] for r in rows if r[3] != MetricMeasure.MANUAL]
    measured = (
        {x[0]: x for x in await conn.fetch(_MEASURED, measured_ids, m.PLACEMENT_PATHWAYS)}
        if measured_ids
        else {}
    )
    found: list[SuccessMetricView] = []
    for r in rows:
        recorded = [
            MetricValueView(value=v[1], recorded_for=v[2], note=v[3]) for v in values.get(r[0], [])
        ]
        if r[3] == MetricMeasure.MANUAL:
            current = recorded[-1].value if recorded else None
        else:
            current = _measure(r[3], measured[r[0]])
        found.append(SuccessMetricView(**dict(r), current=current, values=recorded))
    return grouped(found, "partnership_id")
