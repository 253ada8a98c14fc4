"""`partnerships`: each partnership's life, charter, liaisons, contributions and check-ins.

Measured success metrics are counted at query time from the directory and outcome views
(students who held a seat, completions, presenters, students mentored), so a metric always
agrees with the numbers shown beside it and nothing is counted twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bridgework.domain.partnership import MetricMeasure, Partnership
from bridgework.domain.student import PLACEMENTS
from bridgework.projections.batch import Writes
from bridgework.projections.views import (
    CheckInView,
    ContributionView,
    FollowUpView,
    LiaisonView,
    MetricValueView,
    PartnerRoleView,
    PartnershipStateView,
    PartnershipTransitionView,
    SuccessMetricView,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from bridgework.projections.views import Connection, Executor
    from bridgework.services.ports import StoredEvent

SCHEMA = """
CREATE TABLE IF NOT EXISTS partnership_states (
    partnership_id uuid PRIMARY KEY, status text NOT NULL, term_starts_on date,
    term_ends_on date, changed_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS partnership_transitions (
    partnership_id uuid NOT NULL, position bigint NOT NULL, change text NOT NULL,
    status text NOT NULL, reason text NOT NULL, term_starts_on date, term_ends_on date,
    at timestamptz NOT NULL, PRIMARY KEY (partnership_id, position)
);
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
CREATE TABLE IF NOT EXISTS partnership_liaisons (
    liaison_id uuid PRIMARY KEY, partnership_id uuid NOT NULL, organisation_id uuid NOT NULL,
    name text NOT NULL, title text NOT NULL, email text, phone text,
    appointed_at timestamptz NOT NULL, stood_down_reason text, seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS partnership_liaisons_by_partnership
    ON partnership_liaisons (partnership_id, seq);
CREATE TABLE IF NOT EXISTS partnership_contributions (
    contribution_id uuid PRIMARY KEY, partnership_id uuid NOT NULL,
    organisation_id uuid NOT NULL, kind text NOT NULL, description text NOT NULL,
    value numeric, currency text, hours numeric, contributed_on date NOT NULL,
    seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS partnership_contributions_by_partnership
    ON partnership_contributions (partnership_id, contributed_on, seq);
CREATE TABLE IF NOT EXISTS partnership_check_ins (
    check_in_id uuid PRIMARY KEY, partnership_id uuid NOT NULL, held_on date NOT NULL,
    attendees text[] NOT NULL, notes text NOT NULL, decisions text[] NOT NULL,
    follow_up_actions text[] NOT NULL, follow_up_owners text[] NOT NULL,
    follow_up_due date[] NOT NULL, seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS partnership_check_ins_by_partnership
    ON partnership_check_ins (partnership_id, held_on, seq);
"""

_STATE = "INSERT INTO partnership_states VALUES ($1, $2, NULL, NULL, $3)"
_TRANSITION = "INSERT INTO partnership_transitions VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
_ROLE = """INSERT INTO partnership_roles VALUES ($1, $2, $3, $4)
ON CONFLICT (partnership_id, organisation_id)
DO UPDATE SET role = excluded.role, commitments = excluded.commitments"""
_METRIC = """INSERT INTO partnership_metrics
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, $12)"""
_VALUE = "INSERT INTO partnership_metric_values VALUES ($1, $2, $3, $4, $5)"
_LIAISON = "INSERT INTO partnership_liaisons VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)"
_CONTRIBUTION = """INSERT INTO partnership_contributions
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"""
_CHECK_IN = """INSERT INTO partnership_check_ins
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"""
# Updates come after the inserts they may touch (Writes keeps this declared order), and
# each statement's rows keep the order of their events.
_STATUS = """UPDATE partnership_states SET status = $2,
    term_starts_on = coalesce($3, term_starts_on), term_ends_on = coalesce($4, term_ends_on),
    changed_at = $5 WHERE partnership_id = $1"""
_RETIRE = "UPDATE partnership_metrics SET retired_reason = $2 WHERE metric_id = $1"
_STAND_DOWN = "UPDATE partnership_liaisons SET stood_down_reason = $2 WHERE liaison_id = $1"

P = Partnership
_CHANGES: dict[type[Any], tuple[str, str]] = {
    P.PartnershipActivated: ("activated", "active"),
    P.PartnershipSuspended: ("suspended", "suspended"),
    P.PartnershipRenewed: ("renewed", "active"),
    P.PartnershipConcluded: ("concluded", "concluded"),
}


class Partnerships:
    name = "partnerships"
    version = 2
    schema = SCHEMA
    tables = (
        "partnership_states",
        "partnership_transitions",
        "partnership_roles",
        "partnership_metrics",
        "partnership_metric_values",
        "partnership_liaisons",
        "partnership_contributions",
        "partnership_check_ins",
    )
    handles = frozenset(
        {
            "PartnershipFormed",
            "PartnershipActivated",
            "PartnershipSuspended",
            "PartnershipRenewed",
            "PartnershipConcluded",
            "PartnerRoleSet",
            "SuccessMetricDefined",
            "SuccessMetricRetired",
            "MetricValueRecorded",
            "LiaisonAppointed",
            "LiaisonStoodDown",
            "ContributionRecorded",
            "CheckInHeld",
        }
    )

    async def apply_batch(
        self, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
    ) -> None:
        writes = Writes(
            _STATE, _TRANSITION, _ROLE, _METRIC, _VALUE, _LIAISON, _CONTRIBUTION, _CHECK_IN,
            _STATUS, _RETIRE, _STAND_DOWN,
        )  # fmt: skip
        for event, e in events:
            _write(writes, event, e)
        await writes.flush(conn)


def _write(writes: Writes, event: StoredEvent, e: Any) -> None:  # noqa: C901 - one case per event
    p, at, seq = e.originator_id, e.timestamp, event.position
    match e:
        case P.PartnershipFormed():
            status = str(e.status)
            writes.add(_STATE, p, status, at)
            writes.add(_TRANSITION, p, seq, "formed", status, "", None, None, at)
        case P.PartnershipRenewed():
            writes.add(_STATUS, p, "active", e.term_starts_on, e.term_ends_on, at)
            writes.add(
                _TRANSITION, p, seq, "renewed", "active", e.reason, e.term_starts_on,
                e.term_ends_on, at,
            )  # fmt: skip
        case P.PartnershipActivated() | P.PartnershipSuspended() | P.PartnershipConcluded():
            change, status = _CHANGES[type(e)]
            writes.add(_STATUS, p, status, None, None, at)
            writes.add(_TRANSITION, p, seq, change, status, e.reason, None, None, at)
        case P.PartnerRoleSet():
            writes.add(_ROLE, p, e.organisation_id, e.role, list(e.commitments))
        case P.SuccessMetricDefined():
            writes.add(
                _METRIC, e.metric_id, p, e.name, str(e.measure), e.target, e.unit, e.baseline,
                e.due_on, e.program_kind, at.date(), seq, e.question,
            )  # fmt: skip
        case P.SuccessMetricRetired():
            writes.add(_RETIRE, e.metric_id, e.reason)
        case P.MetricValueRecorded():
            writes.add(_VALUE, e.metric_id, seq, e.value, e.recorded_for, e.note)
        case P.LiaisonAppointed():
            writes.add(
                _LIAISON, e.liaison_id, p, e.organisation_id, e.name, e.title, e.email, e.phone,
                at, seq,
            )  # fmt: skip
        case P.LiaisonStoodDown():
            writes.add(_STAND_DOWN, e.liaison_id, e.reason)
        case P.ContributionRecorded():
            writes.add(
                _CONTRIBUTION, e.contribution_id, p, e.organisation_id, str(e.kind),
                e.description, e.value, e.currency, e.hours, e.contributed_on, seq,
            )  # fmt: skip
        case P.CheckInHeld():
            f = e.follow_ups
            writes.add(
                _CHECK_IN, e.check_in_id, p, e.held_on, list(e.attendees), e.notes,
                list(e.decisions), [x.action for x in f], [x.owner for x in f],
                [x.due_on for x in f], seq,
            )  # fmt: skip
        case _:
            raise TypeError(f"partnerships does not handle {event.event_type}")


# Queries --------------------------------------------------------------------------------


def _group(rows: Sequence[Any], key: int) -> dict[UUID, list[Any]]:
    found: dict[UUID, list[Any]] = {}
    for r in rows:
        found.setdefault(r[key], []).append(r)
    return found


async def partnership_states(
    conn: Executor, ids: Sequence[UUID]
) -> dict[UUID, PartnershipStateView]:
    rows = await conn.fetch(
        "SELECT partnership_id, status, term_starts_on, term_ends_on, changed_at"
        " FROM partnership_states WHERE partnership_id = ANY($1::uuid[])",
        list(ids),
    )
    return {
        r[0]: PartnershipStateView(
            partnership_id=r[0],
            status=r[1],
            term_starts_on=r[2],
            term_ends_on=r[3],
            changed_at=r[4],
        )
        for r in rows
    }


async def partnership_transitions(
    conn: Executor, ids: Sequence[UUID]
) -> dict[UUID, list[PartnershipTransitionView]]:
    """Each partnership's life, oldest step first."""
    rows = await conn.fetch(
        "SELECT partnership_id, change, status, reason, term_starts_on, term_ends_on, at"
        " FROM partnership_transitions WHERE partnership_id = ANY($1::uuid[])"
        " ORDER BY partnership_id, position",
        list(ids),
    )
    return {
        k: [
            PartnershipTransitionView(
                partnership_id=r[0],
                change=r[1],
                status=r[2],
                reason=r[3],
                term_starts_on=r[4],
                term_ends_on=r[5],
                at=r[6],
            )
            for r in group
        ]
        for k, group in _group(rows, 0).items()
    }


async def partner_roles(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, list[PartnerRoleView]]:
    rows = await conn.fetch(
        "SELECT partnership_id, organisation_id, role, commitments FROM partnership_roles"
        " WHERE partnership_id = ANY($1::uuid[]) ORDER BY partnership_id, role",
        list(ids),
    )
    return {
        k: [
            PartnerRoleView(partnership_id=r[0], organisation_id=r[1], role=r[2], commitments=r[3])
            for r in group
        ]
        for k, group in _group(rows, 0).items()
    }


_MEASURED = """
SELECT m.metric_id,
       seats.students,
       (SELECT coalesce(sum(completions), 0) FROM outcome_programs
        WHERE program_id = ANY(chosen.ids)),
       seats.held,
       (SELECT count(DISTINCT student_id) FROM outcome_presenters
        WHERE program_id = ANY(chosen.ids)),
       (SELECT count(DISTINCT student_id) FROM outcome_mentorships
        WHERE program_id = ANY(chosen.ids)),
       (SELECT count(*) FROM achievements_credentials WHERE program_id = ANY(chosen.ids)),
       (SELECT count(DISTINCT student_id) FROM achievements_pathways
        WHERE program_id = ANY(chosen.ids) AND pathway = ANY($2::text[])),
       hours.verified, hours.approved, marks.present, marks.marked, pairs.improved, pairs.n
FROM partnership_metrics m
CROSS JOIN LATERAL (
    SELECT coalesce(array_agg(p.id), '{}') AS ids FROM directory_programs p
    WHERE p.partnership_id = m.partnership_id
      AND (m.program_kind IS NULL OR p.kind = m.program_kind)
) AS chosen
CROSS JOIN LATERAL (
    SELECT count(DISTINCT student_id) AS students, count(*) AS held
    FROM outcome_seat_holders WHERE program_id = ANY(chosen.ids)
) AS seats
CROSS JOIN LATERAL (
    SELECT coalesce(sum(hours) FILTER (WHERE status IN ('verified', 'approved')), 0) AS verified,
           coalesce(sum(hours) FILTER (WHERE status = 'approved'), 0) AS approved
    FROM hours_entries WHERE program_id = ANY(chosen.ids)
) AS hours
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE status = 'present') AS present, count(*) AS marked
    FROM attendance_marks WHERE program_id = ANY(chosen.ids)
) AS marks
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE post > pre) AS improved, count(*) AS n FROM (
        SELECT max(score) FILTER (WHERE phase = 'pre') AS pre,
               max(score) FILTER (WHERE phase = 'post') AS post
        FROM survey_answers
        WHERE program_id = ANY(chosen.ids) AND (m.question IS NULL OR question = m.question)
        GROUP BY program_id, student_id, question
    ) AS answered WHERE pre IS NOT NULL AND post IS NOT NULL
) AS pairs
WHERE m.metric_id = ANY($1::uuid[])
"""
"""Per metric: students who held a seat, completions, seats held (a student in two
programs counts twice, as in each program's completion rate), presenters, students
mentored, credentials, placed students, hours verified and approved, attendance marks
present and in all, and survey answer pairs improved and in all (to the metric's question,
if it names one), over the partnership's programs (of the metric's kind, if it names one)."""


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100 * part) / whole if whole else Decimal(0)).quantize(Decimal("0.1"))


def _measure(measure: str, row: Any) -> Decimal:
    """A measured metric's value from its row of `_MEASURED`."""
    students, completions, seats, presenters, mentored, credentials, placed = row[1:8]
    hours_verified, hours_approved, present, marked, improved, pairs = row[8:14]
    rates = {
        MetricMeasure.COMPLETION_RATE: (completions, seats),
        MetricMeasure.ATTENDANCE_RATE: (present, marked),
        MetricMeasure.SURVEY_IMPROVED: (improved, pairs),
    }
    if measure in rates:
        return _percent(*rates[MetricMeasure(measure)])
    counts = {
        MetricMeasure.HOURS_VERIFIED: hours_verified,
        MetricMeasure.HOURS_APPROVED: hours_approved,
        MetricMeasure.ENROLMENTS: students,
        MetricMeasure.COMPLETIONS: completions,
        MetricMeasure.PRESENTERS: presenters,
        MetricMeasure.STUDENTS_MENTORED: mentored,
        MetricMeasure.CREDENTIALS: credentials,
        MetricMeasure.PLACEMENTS: placed,
    }
    return Decimal(counts[MetricMeasure(measure)])


async def success_metrics(
    conn: Executor, ids: Sequence[UUID]
) -> dict[UUID, list[SuccessMetricView]]:
    """Each partnership's metrics in the order they were defined, with their current values."""
    rows = await conn.fetch(
        "SELECT metric_id, partnership_id, name, measure, target, unit, baseline, due_on,"
        " program_kind, defined_on, retired_reason, question FROM partnership_metrics"
        " WHERE partnership_id = ANY($1::uuid[]) ORDER BY partnership_id, seq",
        list(ids),
    )
    metric_ids = [r[0] for r in rows]
    values = _group(
        await conn.fetch(
            "SELECT metric_id, value, recorded_for, note FROM partnership_metric_values"
            " WHERE metric_id = ANY($1::uuid[]) ORDER BY metric_id, recorded_for, position",
            metric_ids,
        ),
        0,
    )
    measured_ids = [r[0] for r in rows if r[3] != MetricMeasure.MANUAL]
    measured = (
        {m[0]: m for m in await conn.fetch(_MEASURED, measured_ids, sorted(PLACEMENTS))}
        if measured_ids
        else {}
    )
    found: dict[UUID, list[SuccessMetricView]] = {}
    for r in rows:
        recorded = [
            MetricValueView(value=v[1], recorded_for=v[2], note=v[3]) for v in values.get(r[0], [])
        ]
        if r[3] == MetricMeasure.MANUAL:
            current = recorded[-1].value if recorded else None
        else:
            current = _measure(r[3], measured[r[0]])
        found.setdefault(r[1], []).append(
            SuccessMetricView(
                id=r[0],
                partnership_id=r[1],
                name=r[2],
                measure=r[3],
                target=r[4],
                unit=r[5],
                baseline=r[6],
                due_on=r[7],
                program_kind=r[8],
                defined_on=r[9],
                retired_reason=r[10],
                question=r[11],
                current=current,
                values=recorded,
            )
        )
    return found


async def liaisons(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, list[LiaisonView]]:
    rows = await conn.fetch(
        "SELECT liaison_id, partnership_id, organisation_id, name, title, email, phone,"
        " appointed_at, stood_down_reason FROM partnership_liaisons"
        " WHERE partnership_id = ANY($1::uuid[]) ORDER BY partnership_id, seq",
        list(ids),
    )
    return {
        k: [
            LiaisonView(
                id=r[0],
                partnership_id=r[1],
                organisation_id=r[2],
                name=r[3],
                title=r[4],
                email=r[5],
                phone=r[6],
                appointed_at=r[7],
                stood_down_reason=r[8],
            )
            for r in group
        ]
        for k, group in _group(rows, 1).items()
    }


async def contributions(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, list[ContributionView]]:
    """Each partnership's contributions, earliest first."""
    rows = await conn.fetch(
        "SELECT contribution_id, partnership_id, organisation_id, kind, description, value,"
        " currency, hours, contributed_on FROM partnership_contributions"
        " WHERE partnership_id = ANY($1::uuid[]) ORDER BY partnership_id, contributed_on, seq",
        list(ids),
    )
    return {
        k: [
            ContributionView(
                id=r[0],
                partnership_id=r[1],
                organisation_id=r[2],
                kind=r[3],
                description=r[4],
                value=r[5],
                currency=r[6],
                hours=r[7],
                contributed_on=r[8],
            )
            for r in group
        ]
        for k, group in _group(rows, 1).items()
    }


async def check_ins(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, list[CheckInView]]:
    """Each partnership's check-ins, latest first."""
    rows = await conn.fetch(
        "SELECT check_in_id, partnership_id, held_on, attendees, notes, decisions,"
        " follow_up_actions, follow_up_owners, follow_up_due FROM partnership_check_ins"
        " WHERE partnership_id = ANY($1::uuid[])"
        " ORDER BY partnership_id, held_on DESC, seq DESC",
        list(ids),
    )
    return {
        k: [
            CheckInView(
                id=r[0],
                partnership_id=r[1],
                held_on=r[2],
                attendees=r[3],
                notes=r[4],
                decisions=r[5],
                follow_ups=[
                    FollowUpView(action=a, owner=o, due_on=d)
                    for a, o, d in zip(r[6], r[7], r[8], strict=True)
                ],
            )
            for r in group
        ]
        for k, group in _group(rows, 1).items()
    }
