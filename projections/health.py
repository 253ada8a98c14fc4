"""How a partnership's success metrics stand on a date, and what its partners gave in all:
plain rules over the charter's views, served by the API (`graphql/partnerships`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from uuid import UUID

    from bridgework.projections.views import ContributionView, SuccessMetricView


class MetricHealth(StrEnum):
    """How a metric stands against its target on a date."""

    MET = "MET"
    ON_TRACK = "ON_TRACK"
    BEHIND = "BEHIND"
    MISSED = "MISSED"
    NO_DATA = "NO_DATA"
    RETIRED = "RETIRED"


def today() -> date:
    return datetime.now(UTC).date()


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


class Total(NamedTuple):
    """What one partner gave in all, in one currency (hours have none)."""

    organisation_id: UUID
    currency: str | None
    value: Decimal
    hours: Decimal
    contributions: int


def totals(contributions: list[ContributionView]) -> list[Total]:
    """Per partner and currency, ordered by partner id, then currency (none first)."""
    sums: dict[tuple[UUID, str | None], tuple[Decimal, Decimal, int]] = {}
    for c in contributions:
        value, hours, n = sums.get((c.organisation_id, c.currency), (Decimal(0), Decimal(0), 0))
        sums[c.organisation_id, c.currency] = (
            value + (c.value or 0),
            hours + (c.hours or 0),
            n + 1,
        )
    ordered = sorted(sums.items(), key=lambda kv: (str(kv[0][0]), kv[0][1] or ""))
    return [Total(org, currency, *sums_) for (org, currency), sums_ in ordered]
