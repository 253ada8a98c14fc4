from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from bridgework.graphql.partnerships import health
from bridgework.projections.views import SuccessMetricView
from support.given import AT


def _metric(target, current, baseline=None, due_in=None, retired=None):
    return SuccessMetricView(
        id=uuid4(), partnership_id=uuid4(), name="m", measure="enrolments",
        target=Decimal(target), unit="", baseline=None if baseline is None else Decimal(baseline),
        due_on=None if due_in is None else AT.date() + timedelta(days=due_in), program_kind=None,
        defined_on=AT.date(), retired_reason=retired, question=None,
        current=None if current is None else Decimal(current), values=[],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("metric", "days_later", "expected"),
    [
        (_metric("10", None), 0, "NO_DATA"),
        (_metric("10", "10"), 0, "MET"),
        (_metric("10", "4", due_in=100), 50, "BEHIND"),  # 40% done, half the time gone
        (_metric("10", "6", due_in=100), 50, "ON_TRACK"),
        (_metric("14", "12", baseline="10", due_in=100), 50, "ON_TRACK"),  # 2 of 4 above 10
        (_metric("10", "9", due_in=100), 101, "MISSED"),
        (_metric("10", "10", retired="dropped"), 0, "RETIRED"),
    ],
)
def test_a_metric_is_on_track_when_progress_keeps_pace_with_time(metric, days_later, expected):
    assert health(metric, AT.date() + timedelta(days=days_later)).value == expected
