"""How a success metric stands against its target: its progress and its health on a date.

Business rules of the charter, kept below the API so every reader of a metric (the GraphQL
fields, a report) judges it the same way.
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

    from bridgework.projections.partnerships.charter import SuccessMetricView


class MetricHealth(Enum):
    """How a metric stands against its target on a date."""

    MET = "MET"
    ON_TRACK = "ON_TRACK"
    BEHIND = "BEHIND"
    MISSED = "MISSED"
    NO_DATA = "NO_DATA"
    RETIRED = "RETIRED"


def progress(m: SuccessMetricView) -> float | None:
    """Share of the way from the baseline (0 if none) to the target, 0 to 1."""
    if m.current is None:
        return None
    start = m.baseline or Decimal(0)
    if m.target == start:
        return 1.0 if m.current >= m.target else 0.0
    return float(min(max((m.current - start) / (m.target - start), Decimal(0)), Decimal(1)))


def health(m: SuccessMetricView, as_of: date) -> MetricHealth:
    """Met once the target is reached; missed after its due date; before that on track when
    progress keeps pace with the time gone since the metric was set."""
    done = progress(m)
    if m.retired_reason is not None:
        return MetricHealth.RETIRED
    if done is None:
        return MetricHealth.NO_DATA
    if m.current is not None and m.current >= m.target:
        return MetricHealth.MET
    if m.due_on is None:
        return MetricHealth.ON_TRACK
    if as_of > m.due_on:
        return MetricHealth.MISSED
    span = (m.due_on - m.defined_on).days
    elapsed = 1.0 if span <= 0 else min(max((as_of - m.defined_on).days / span, 0.0), 1.0)
    return MetricHealth.ON_TRACK if done >= elapsed else MetricHealth.BEHIND
