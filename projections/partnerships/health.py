"""How a partnership is doing on a date: each success metric's progress and health against
its target, and the partnership's health (its metrics, check-ins, contributions, programs).

Business rules of the charter, kept below the API so every reader (the GraphQL fields, a
report) judges a partnership the same way.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec
from bridgework.projections.directory import ProgramView
from bridgework.projections.partnerships.charter import SuccessMetricView

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.projections.partnerships.collaboration import CheckInView, ContributionView


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


class ContributionTotal(msgspec.Struct, frozen=True, kw_only=True):
    """What one partner gave, in one currency (None: no money, e.g. hours or equipment)."""

    organisation_id: UUID
    currency: str | None
    value: Decimal
    hours: Decimal
    contributions: int


class PartnershipHealthView(msgspec.Struct, frozen=True, kw_only=True):
    """How a partnership is doing on `as_of`."""

    as_of: date
    metrics: list[SuccessMetricView]
    """Its metrics still in force (retired ones left out), in the order they were defined."""
    met: int
    on_track: int
    behind: int
    missed: int
    last_check_in_on: date | None
    """The latest check-in held on or before `as_of`."""
    days_since_last_check_in: int | None
    contributions_by_partner: list[ContributionTotal]
    """Contributions made on or before `as_of`, per partner and currency."""
    active_programs: list[ProgramView]
    """Programs running on `as_of`."""


def contribution_totals(contributions: Sequence[ContributionView]) -> list[ContributionTotal]:
    """Per partner and currency: the value and hours given, and how many contributions;
    ordered by partner id, then currency (no currency first)."""
    sums: dict[tuple[UUID, str | None], tuple[Decimal, Decimal, int]] = {}
    for c in contributions:
        value, hours, n = sums.get((c.organisation_id, c.currency), (Decimal(0), Decimal(0), 0))
        sums[c.organisation_id, c.currency] = (
            value + (c.value or 0),
            hours + (c.hours or 0),
            n + 1,
        )
    return [
        ContributionTotal(
            organisation_id=org, currency=currency, value=value, hours=hours, contributions=n
        )
        for (org, currency), (value, hours, n) in sorted(
            sums.items(), key=lambda kv: (str(kv[0][0]), kv[0][1] or "")
        )
    ]


def partnership_health(
    metrics: Sequence[SuccessMetricView],
    check_ins: Sequence[CheckInView],
    contributions: Sequence[ContributionView],
    programs: Sequence[ProgramView],
    as_of: date,
) -> PartnershipHealthView:
    """A partnership's health on `as_of`, from its metrics, check-ins, contributions and
    programs (all of them: what came after `as_of` is left out here)."""
    in_force = [m for m in metrics if m.retired_reason is None]
    states = [health(m, as_of) for m in in_force]
    last = max((c.held_on for c in check_ins if c.held_on <= as_of), default=None)
    return PartnershipHealthView(
        as_of=as_of,
        metrics=in_force,
        met=states.count(MetricHealth.MET),
        on_track=states.count(MetricHealth.ON_TRACK),
        behind=states.count(MetricHealth.BEHIND),
        missed=states.count(MetricHealth.MISSED),
        last_check_in_on=last,
        days_since_last_check_in=None if last is None else (as_of - last).days,
        contributions_by_partner=contribution_totals(
            [c for c in contributions if c.contributed_on <= as_of]
        ),
        active_programs=[p for p in programs if p.starts_on <= as_of <= p.ends_on],
    )
