from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from bridgework.domain.base import ordinal
from bridgework.domain.errors import RuleViolated
from bridgework.domain.mentor import ClearanceResult, Mentor
from bridgework.domain.partnership import Partnership
from bridgework.graphql.partnerships import health
from bridgework.projections.views import SuccessMetricView
from support.given import AT


def test_a_partnership_needs_two_different_organisations():
    school = uuid4()
    with pytest.raises(RuleViolated, match="at least two different organisations"):
        Partnership.form(id=uuid4(), name="Solo", organisation_ids=(school,), goals=(), at=AT)
    with pytest.raises(RuleViolated, match="at least two"):
        Partnership.form(
            id=uuid4(), name="Echo", organisation_ids=(school, school), goals=(), at=AT
        )


def cleared(name: str = "Dana Ortiz", capacity: int = 1, **check) -> Mentor:
    mentor = Mentor.register(
        id=uuid4(), name=name, organisation_id=uuid4(), capacity=capacity, at=AT
    )
    mentor.record_clearance(**{
        "clearance_id": uuid4(), "check_type": "Enhanced background check",
        "provider": "Valley Screening", "result": ClearanceResult.CLEAR,
        "completed_on": AT.date() - timedelta(days=30),
        "expires_on": AT.date() + timedelta(days=365), "at": AT,
    } | check)  # fmt: skip
    return mentor


def test_a_mentor_at_capacity_takes_no_more_mentees():
    mentor = cleared()
    program = uuid4()
    mentor.take_mentee(program_id=program, student_id=uuid4(), at=AT)
    with pytest.raises(RuleViolated, match="Dana Ortiz already mentors 1 of 1 students"):
        mentor.take_mentee(program_id=program, student_id=uuid4(), at=AT)


def test_a_released_mentee_frees_the_mentor():
    mentor = cleared("Dana")
    program, student = uuid4(), uuid4()
    mentor.take_mentee(program_id=program, student_id=student, at=AT)
    mentor.release_mentee(program_id=program, student_id=student, at=AT)
    mentor.take_mentee(program_id=program, student_id=uuid4(), at=AT)
    names = [type(e).__name__ for e in mentor.collect_events()]
    assert names == [
        "MentorRegistered", "ClearanceRecorded", "MenteeTaken", "MenteeReleased", "MenteeTaken"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("check", "rule", "says"),
    [
        ({"result": ClearanceResult.FLAGGED}, "CLEARANCE_FLAGGED", "check was flagged"),
        ({"result": ClearanceResult.PENDING, "completed_on": None}, "CLEARANCE_PENDING",
         "still pending"),
        ({"completed_on": AT.date() - timedelta(days=400), "expires_on": AT.date()},
         "CLEARANCE_EXPIRED", "expired on 2 March 2026"),
    ],
)  # fmt: skip
def test_no_match_without_a_clear_unexpired_check(check, rule, says):
    mentor = cleared(**check)
    with pytest.raises(RuleViolated, match=says) as refused:
        mentor.take_mentee(program_id=uuid4(), student_id=uuid4(), at=AT)
    assert refused.value.rule == rule
    assert not [e for e in mentor.collect_events() if type(e).__name__ == "MenteeTaken"]


def test_no_match_without_any_check_and_a_later_check_supersedes_an_earlier_one():
    mentor = Mentor.register(id=uuid4(), name="Dana", organisation_id=uuid4(), capacity=2, at=AT)
    with pytest.raises(RuleViolated) as refused:
        mentor.take_mentee(program_id=uuid4(), student_id=uuid4(), at=AT)
    assert refused.value.rule == "CLEARANCE_MISSING"
    mentor = cleared(result=ClearanceResult.PENDING, completed_on=None)
    mentor.record_clearance(
        clearance_id=uuid4(), check_type="Enhanced background check", provider="Valley",
        result=ClearanceResult.CLEAR, completed_on=AT.date(), expires_on=None, at=AT,
    )  # fmt: skip
    mentor.take_mentee(program_id=uuid4(), student_id=uuid4(), at=AT)


def test_a_check_cannot_be_dated_in_the_future_or_expire_before_it_is_done():
    with pytest.raises(RuleViolated) as refused:
        cleared(completed_on=AT.date() + timedelta(days=1))
    assert refused.value.rule == "CLEARANCE_IN_FUTURE"
    with pytest.raises(RuleViolated) as refused:
        cleared(expires_on=AT.date() - timedelta(days=60))
    assert refused.value.rule == "CLEARANCE_EXPIRES_BEFORE_COMPLETION"


@pytest.mark.parametrize(
    ("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (22, "22nd")]
)
def test_places_in_line_read_as_ordinals(n, text):
    assert ordinal(n) == text


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


def test_a_concluded_partnership_takes_no_more_changes():
    a, b = uuid4(), uuid4()
    p = Partnership.form(id=uuid4(), name="Solar", organisation_ids=(a, b), goals=(), at=AT)
    p.conclude(reason="grant ended", at=AT)
    with pytest.raises(RuleViolated, match="Partnership 'Solar' is concluded") as refused:
        p.suspend(reason="x", at=AT)
    assert refused.value.rule == "PARTNERSHIP_CONCLUDED"
    with pytest.raises(RuleViolated) as refused:
        p.appoint_liaison(liaison_id=uuid4(), organisation_id=a, name="x", title="", email=None,
                          phone=None, at=AT)  # fmt: skip
    assert refused.value.rule == "PARTNERSHIP_CONCLUDED"
