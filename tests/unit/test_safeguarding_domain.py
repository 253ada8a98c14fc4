"""Safeguarding: a mentor's background checks (Mentor aggregate) and a guardian's consent
before a minor joins a program (Student aggregate)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest
from bridgework.domain.safeguarding import ClearanceResult
from bridgework.domain.student import Student
from support.given import AT, clearance, cleared, given, mentor, names, refused, started, when

TODAY = AT.date()


def take_mentee(m):
    m.take_mentee(program_id=uuid4(), student_id=uuid4(), at=AT)


@pytest.mark.parametrize(
    ("check", "rule", "says"),
    [
        ({"result": ClearanceResult.FLAGGED}, "CLEARANCE_FLAGGED", "check was flagged"),
        (
            {"result": ClearanceResult.PENDING, "completed_on": None},
            "CLEARANCE_PENDING",
            "still pending",
        ),
        (
            {"completed_on": TODAY - timedelta(days=400), "expires_on": TODAY},
            "CLEARANCE_EXPIRED",
            "expired on 2 March 2026",
        ),
    ],
)
def test_no_match_without_a_clear_unexpired_check(check, rule, says):
    broken = refused(cleared(**check), take_mentee)
    assert broken.rule == rule
    assert says in broken.message


def test_no_match_without_any_check_and_a_later_check_supersedes_an_earlier_one():
    broken = refused(mentor("Dana", capacity=2), take_mentee)
    assert broken.rule == "CLEARANCE_MISSING"
    assert broken.message == "Dana has no background check on record"
    history = cleared(result=ClearanceResult.PENDING, completed_on=None)
    history += when(history, clearance(provider="Valley", completed_on=TODAY, expires_on=None))
    assert names(when(history, take_mentee)) == ["MenteeTaken"]


def test_a_check_cannot_be_dated_in_the_future_or_expire_before_it_is_done():
    history = mentor()
    broken = refused(history, clearance(completed_on=TODAY + timedelta(days=1)))
    assert broken.rule == "CLEARANCE_IN_FUTURE"
    broken = refused(history, clearance(expires_on=TODAY - timedelta(days=60)))
    assert broken.rule == "CLEARANCE_EXPIRES_BEFORE_COMPLETION"


def test_a_finished_check_needs_its_completion_date():
    broken = refused(mentor(), clearance(result=ClearanceResult.FLAGGED, completed_on=None))
    assert broken.rule == "CLEARANCE_NEEDS_DATE"
    assert broken.message == "A flagged Enhanced background check check needs its completion date"


def test_a_recorded_check_is_kept_by_its_type():
    history = mentor()
    events = when(history, clearance())
    assert names(events) == ["ClearanceRecorded"]
    assert given(history + events).clearances == {
        "Enhanced background check": (
            ClearanceResult.CLEAR,
            TODAY - timedelta(days=30),
            TODAY + timedelta(days=365),
        )
    }


# A guardian's consent -------------------------------------------------------------------

PROGRAM = uuid4()


def student(born=date(2010, 5, 4)) -> list:
    return started(
        Student.register(
            id=uuid4(), name="Ana", grade=10, school_id=None, at=AT, date_of_birth=born
        )
    )


def consent(consent_id, program_id=PROGRAM, given_on=TODAY):
    return lambda s: s.record_consent(
        consent_id=consent_id,
        program_id=program_id,
        guardian_name="Rosa Lima",
        relationship="mother",
        given_on=given_on,
        at=AT,
    )


def rely(program_id=PROGRAM):
    return lambda s: s.rely_on_consent(program_id, AT)


def test_minors_and_students_of_unknown_age_need_consent():
    assert given(student()).needs_consent(TODAY)
    assert given(student(born=None)).needs_consent(TODAY)
    assert not given(student(born=date(2008, 3, 2))).needs_consent(TODAY)  # 18 today


def test_a_guardians_consent_is_recorded_but_not_dated_after_today():
    history = student()
    events = when(history, consent(uuid4(), program_id=None))
    assert names(events) == ["GuardianConsentRecorded"]
    assert (events[0].guardian_name, events[0].relationship) == ("Rosa Lima", "mother")
    broken = refused(history, consent(uuid4(), given_on=TODAY + timedelta(days=1)))
    assert broken.rule == "CONSENT_IN_FUTURE"
    assert broken.message == "A guardian's consent cannot be dated after today"


def test_a_minor_is_enrolled_only_on_a_consent_and_the_programs_own_comes_first():
    history = student()
    broken = refused(history, rely())
    assert broken.rule == "CONSENT_MISSING"
    assert broken.message.startswith("Ana is under 18: a guardian's consent for this program")
    assert "has no date of birth on record" in refused(student(born=None), rely()).message
    standing, own = uuid4(), uuid4()
    history += when(history, consent(standing, program_id=None))
    history += when(history, consent(own))
    events = when(history, rely())
    assert names(events) == ["ConsentRelied"]
    assert (events[0].consent_id, events[0].program_id) == (own, PROGRAM)
    history += events
    assert when(history, rely()) == []  # already resting on it


def test_an_adult_needs_no_consent():
    assert when(student(born=date(2000, 1, 1)), rely()) == []


def withdraw(consent_id):
    return lambda s: s.withdraw_consent(consent_id=consent_id, reason="moved away", at=AT)


def test_withdrawing_a_consent_moves_its_programs_to_another_or_says_they_must_be_left():
    history = student()
    own, standing, other_program = uuid4(), uuid4(), uuid4()
    history += when(history, consent(own))
    history += when(history, consent(standing, program_id=None))
    history += when(history, rely())
    history += when(history, rely(other_program))  # on the standing consent
    stays = given(history)
    assert withdraw(own)(stays) == []
    events = stays.collect_events()
    assert names(events) == ["GuardianConsentWithdrawn", "ConsentRelied"]
    assert (events[1].consent_id, events[1].program_id) == (standing, PROGRAM)
    history += events
    leaves = given(history)
    assert sorted(withdraw(standing)(leaves)) == sorted([PROGRAM, other_program])
    assert names(leaves.collect_events()) == ["GuardianConsentWithdrawn"]


def test_only_a_consent_in_force_can_be_withdrawn():
    unknown = uuid4()
    broken = refused(student(), withdraw(unknown))
    assert broken.rule == "NO_SUCH_CONSENT"
    assert broken.message == f"Ana has no consent {unknown} in force"
