"""The measures the impact report and the success metrics share, on their own."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

from bridgework.projections.hours import HoursView
from bridgework.projections.measures import (
    APPROVED,
    HOURS_APPROVED,
    HOURS_VERIFIED,
    VERIFIED,
    hours_total,
    percent,
    rate,
)


def test_rates_are_a_part_of_a_whole_and_none_or_zero_without_one():
    assert rate(1, 4) == 0.25
    assert rate(0, 0) is None
    assert percent(1, 3) == Decimal("33.3")
    assert percent(2, 3) == Decimal("66.7")
    assert percent(0, 0) == Decimal("0.0")


def entry(hours: str, status: str) -> HoursView:
    at = datetime(2026, 3, 2, tzinfo=UTC)
    return HoursView(
        id=uuid4(),
        student_id=uuid4(),
        program_id=uuid4(),
        worked_on=date(2026, 3, 2),
        hours=Decimal(hours),
        activity="",
        supervisor_name="",
        supervisor_email="",
        status=status,
        reason="",
        note="",
        link_expires_at=None,
        submitted_at=at,
        verified_at=None,
        approved_at=None,
    )


def test_verified_hours_include_the_approved_ones_and_nothing_undecided_or_refused():
    entries = [
        entry("1", "submitted"),
        entry("2", "verified"),
        entry("4", "approved"),
        entry("8", "declined"),
        entry("16", "rejected"),
    ]
    assert hours_total(entries) == Decimal(31)
    assert hours_total(entries, VERIFIED) == Decimal(6)
    assert hours_total(entries, APPROVED) == Decimal(4)
    assert hours_total([], VERIFIED) == Decimal(0)


def test_the_sql_measures_count_the_same_statuses():
    assert "'approved', 'verified'" in HOURS_VERIFIED
    assert "('approved')" in HOURS_APPROVED
