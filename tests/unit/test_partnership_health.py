"""A charter's rules: a metric's progress and health against its target, and how a whole
partnership is doing on a date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from bridgework.projections.directory import ProgramView
from bridgework.projections.partnerships.charter import SuccessMetricView
from bridgework.projections.partnerships.collaboration import CheckInView, ContributionView
from bridgework.projections.partnerships.health import (
    ContributionTotal,
    MetricHealth,
    contribution_totals,
    health,
    partnership_health,
    progress,
)

SET_ON = date(2026, 3, 2)
PARTNERSHIP = uuid4()


def metric(target, current, baseline=None, due_in=None, retired=None):
    return SuccessMetricView(
        id=uuid4(),
        partnership_id=PARTNERSHIP,
        name="m",
        measure="enrolments",
        target=Decimal(target),
        unit="",
        baseline=None if baseline is None else Decimal(baseline),
        due_on=None if due_in is None else SET_ON + timedelta(days=due_in),
        program_kind=None,
        defined_on=SET_ON,
        retired_reason=retired,
        question=None,
        current=None if current is None else Decimal(current),
        values=[],
    )


@pytest.mark.parametrize(
    ("m", "expected"),
    [
        (metric("10", None), None),
        (metric("10", "4"), 0.4),
        (metric("14", "12", baseline="10"), 0.5),  # 2 of the 4 above the baseline
        (metric("14", "8", baseline="10"), 0.0),  # below the baseline: no progress
        (metric("10", "15"), 1.0),  # past the target: done
        (metric("10", "10", baseline="10"), 1.0),  # the baseline is the target, reached
        (metric("10", "9", baseline="10"), 0.0),
    ],
)
def test_progress_runs_from_the_baseline_to_the_target(m, expected):
    assert progress(m) == expected


@pytest.mark.parametrize(
    ("m", "days_later", "expected"),
    [
        (metric("10", None), 0, MetricHealth.NO_DATA),
        (metric("10", "10"), 0, MetricHealth.MET),
        (metric("10", "4", due_in=100), 50, MetricHealth.BEHIND),  # 40% done, half the time gone
        (metric("10", "6", due_in=100), 50, MetricHealth.ON_TRACK),
        (metric("14", "12", baseline="10", due_in=100), 50, MetricHealth.ON_TRACK),
        (metric("10", "9", due_in=100), 101, MetricHealth.MISSED),
        (metric("10", "10", due_in=100), 101, MetricHealth.MET),  # met late is still met
        (metric("10", "1"), 400, MetricHealth.ON_TRACK),  # no due date: never behind
        (metric("10", "1", due_in=0), 0, MetricHealth.BEHIND),  # due the day it was set
        (metric("10", "10", retired="dropped"), 0, MetricHealth.RETIRED),
        (metric("10", None, retired="dropped"), 0, MetricHealth.RETIRED),
    ],
)
def test_a_metric_is_on_track_when_progress_keeps_pace_with_time(m, days_later, expected):
    assert health(m, SET_ON + timedelta(days=days_later)) is expected


def contribution(org: UUID, on: date, value=None, currency=None, hours=None):
    return ContributionView(
        id=uuid4(),
        partnership_id=PARTNERSHIP,
        organisation_id=org,
        kind="funding" if value else "volunteer_hours",
        description="",
        value=None if value is None else Decimal(value),
        currency=currency,
        hours=None if hours is None else Decimal(hours),
        contributed_on=on,
    )


def test_contributions_add_up_per_partner_and_currency():
    school, firm = UUID(int=1), UUID(int=2)
    totals = contribution_totals(
        [
            contribution(firm, SET_ON, value="500", currency="USD"),
            contribution(school, SET_ON, hours="3"),
            contribution(firm, SET_ON, value="250.50", currency="USD"),
            contribution(firm, SET_ON, hours="4.5"),
            contribution(firm, SET_ON, value="100", currency="EUR"),
        ]
    )
    zero = Decimal(0)
    assert totals == [
        ContributionTotal(
            organisation_id=school, currency=None, value=zero, hours=Decimal(3), contributions=1
        ),
        ContributionTotal(
            organisation_id=firm, currency=None, value=zero, hours=Decimal("4.5"), contributions=1
        ),
        ContributionTotal(
            organisation_id=firm, currency="EUR", value=Decimal(100), hours=zero, contributions=1
        ),
        ContributionTotal(
            organisation_id=firm,
            currency="USD",
            value=Decimal("750.50"),
            hours=zero,
            contributions=2,
        ),
    ]


def check_in(held_on: date) -> CheckInView:
    return CheckInView(
        id=uuid4(),
        partnership_id=PARTNERSHIP,
        held_on=held_on,
        attendees=[],
        notes="",
        decisions=[],
        follow_ups=[],
    )


def program(starts_on: date, ends_on: date) -> ProgramView:
    return ProgramView(
        id=uuid4(),
        partnership_id=PARTNERSHIP,
        name="p",
        kind="robotics",
        capacity=10,
        starts_on=starts_on,
        ends_on=ends_on,
        launched_at=datetime(2026, 1, 1, tzinfo=UTC),
        seq=1,
    )


def test_a_partnership_s_health_is_what_stood_on_the_day():
    as_of = SET_ON + timedelta(days=50)
    met, behind, on_track = metric("10", "10"), metric("10", "4", due_in=100), metric("10", "6")
    retired = metric("10", "10", retired="dropped")
    late = metric("10", "1", due_in=10)
    running, over = program(SET_ON, as_of), program(SET_ON, as_of - timedelta(days=1))
    firm = uuid4()
    found = partnership_health(
        [met, behind, retired, on_track, late],
        [check_in(SET_ON), check_in(as_of - timedelta(days=7)), check_in(as_of + timedelta(1))],
        [contribution(firm, as_of, hours="2"), contribution(firm, as_of + timedelta(1), hours="5")],
        [running, over],
        as_of,
    )
    assert found.as_of == as_of
    assert found.metrics == [met, behind, on_track, late]  # retired ones left out
    assert (found.met, found.on_track, found.behind, found.missed) == (1, 1, 1, 1)
    assert found.last_check_in_on == as_of - timedelta(days=7)
    assert found.days_since_last_check_in == 7
    assert found.contributions_by_partner == [
        ContributionTotal(
            organisation_id=firm, currency=None, value=Decimal(0), hours=Decimal(2), contributions=1
        )
    ]
    assert found.active_programs == [running]


def test_a_partnership_without_check_ins_has_no_last_one():
    found = partnership_health([], [check_in(SET_ON + timedelta(1))], [], [], SET_ON)
    assert (found.last_check_in_on, found.days_since_last_check_in) == (None, None)
    assert (found.metrics, found.contributions_by_partner, found.active_programs) == ([], [], [])
