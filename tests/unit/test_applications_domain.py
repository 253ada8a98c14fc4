"""Applications to a program and the eligibility rules that decide them (Program aggregate)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from bridgework.domain.eligibility import Applicant
from support.given import AT, enrol, given, launched, names, refused, when

PREREQUISITE = uuid4()


def eligible_for(
    min_grade=9, max_grade=12, min_age=14, max_age=18, prerequisite_ids=(PREREQUISITE,)
):
    return lambda p: p.set_eligibility(
        min_grade=min_grade,
        max_grade=max_grade,
        min_age=min_age,
        max_age=max_age,
        prerequisite_ids=prerequisite_ids,
        at=AT,
    )


def applicant(grade=10, born=date(2010, 1, 1), completed=frozenset({PREREQUISITE})):
    return Applicant(name="Ana", grade=grade, date_of_birth=born, completed=completed)


def apply_as(student_id, who=None):
    return lambda p: p.apply(
        student_id=student_id,
        student_name="Ana",
        statement="I build robots.",
        applicant=who or applicant(),
        at=AT,
    )


def test_eligibility_is_set_and_each_set_replaces_the_one_before():
    history = launched()
    history += when(history, eligible_for())
    events = when(history, eligible_for(min_grade=None, max_age=None, prerequisite_ids=()))
    assert names(events) == ["EligibilitySet"]
    program = given(history + events)
    assert (program.grades, program.ages, program.prerequisite_ids) == ((None, 12), (14, None), ())


def test_a_program_cannot_be_its_own_prerequisite():
    history = launched()
    itself = given(history).id
    broken = refused(history, eligible_for(prerequisite_ids=(itself,)))
    assert broken.rule == "PREREQUISITE_IS_ITSELF"
    assert broken.message == "'Robotics Club' cannot be its own prerequisite"


def test_an_applicant_within_every_rule_is_eligible():
    history = launched()
    program = given(history + when(history, eligible_for()))
    program.check_eligible(applicant())
    program.check_eligible(applicant(grade=9, born=date(2008, 3, 1)))  # 18 on the start date


@pytest.mark.parametrize(
    ("who", "rule", "says"),
    [
        (applicant(grade=8), "GRADE_OUT_OF_BAND", "is for grades 9 to 12; Ana is in grade 8"),
        (applicant(grade=None), "GRADE_OUT_OF_BAND", "Ana is of no recorded grade"),
        (applicant(born=None), "AGE_UNKNOWN", "Ana has no date of birth on record"),
        (applicant(born=date(2012, 3, 2)), "TOO_YOUNG", "for ages 14 to 18; Ana will be 13"),
        (applicant(born=date(2007, 2, 28)), "TOO_OLD", "Ana will be 19 when it starts"),
        (applicant(completed=frozenset()), "PREREQUISITE_MISSING", "complete 1 prerequisite"),
    ],
)
def test_an_applicant_outside_a_rule_is_refused_by_name(who, rule, says):
    history = launched()
    history += when(history, eligible_for())
    broken = refused(history, lambda p: p.check_eligible(who))
    assert broken.rule == rule
    assert says in broken.message


def test_open_ended_bands_read_as_up_to_and_and_up():
    history = launched()
    history += when(history, eligible_for(min_grade=None, min_age=16, max_age=None))
    assert "grades up to 12" in refused(history, lambda p: p.check_eligible(applicant(13))).message
    young = applicant(born=date(2011, 1, 1))
    assert "ages 16 and up" in refused(history, lambda p: p.check_eligible(young)).message


def test_an_applicant_can_withdraw_and_their_application_closes():
    history = launched()
    student = uuid4()
    history += when(history, apply_as(student))
    events = when(
        history, lambda p: p.withdraw(student_id=student, student_name="A", reason="", at=AT)
    )
    assert names(events) == ["StudentWithdrawn"]
    assert student not in given(history + events).applications


def test_an_eligible_application_is_received_and_stays_open():
    history = launched()
    student = uuid4()
    events = when(history, apply_as(student))
    assert names(events) == ["ApplicationReceived"]
    assert (events[0].student_id, events[0].statement) == (student, "I build robots.")
    assert given(history + events).applications == {student}


def test_an_ineligible_application_is_received_then_refused_and_the_rule_returned():
    history = launched()
    history += when(history, eligible_for())
    student = uuid4()
    program = given(history)
    rule = apply_as(student, applicant(grade=7))(program)
    events = program.collect_events()
    assert names(events) == ["ApplicationReceived", "ApplicationRefused"]
    assert rule is not None
    assert (events[1].rule, events[1].detail) == ("GRADE_OUT_OF_BAND", rule.message)
    assert rule.rule == "GRADE_OUT_OF_BAND"
    assert student not in given(history + events).applications


def test_a_student_applies_only_once_and_not_when_already_in():
    history = launched()
    applying, enrolled = uuid4(), uuid4()
    history += when(history, apply_as(applying))
    history += when(history, enrol(enrolled))
    broken = refused(history, apply_as(applying))
    assert broken.rule == "ALREADY_APPLIED"
    assert broken.message == "Ana already has an open application to 'Robotics Club'"
    assert refused(history, apply_as(enrolled)).rule == "ALREADY_ENROLLED"


def accept(student_id):
    return lambda p: p.accept(student_id=student_id, student_name="Ana", at=AT)


def test_an_accepted_application_takes_a_seat_or_a_place_in_line():
    history = launched(capacity=1)
    first, second = uuid4(), uuid4()
    history += when(history, apply_as(first))
    history += when(history, apply_as(second))
    events = when(history, accept(first))
    assert names(events) == ["ApplicationAccepted", "StudentEnrolled"]
    history += events
    assert names(when(history, accept(second))) == ["ApplicationAccepted", "StudentWaitlisted"]


def test_an_application_is_denied_with_its_reason():
    history = launched()
    student = uuid4()
    history += when(history, apply_as(student))
    deny = lambda p: p.deny(student_id=student, student_name="Ana", reason="full term", at=AT)  # noqa: E731
    events = when(history, deny)
    assert names(events) == ["ApplicationDenied"]
    assert events[0].reason == "full term"
    assert given(history + events).applications == set()


def test_only_an_open_application_can_be_accepted_or_denied():
    history = launched()
    broken = refused(history, accept(uuid4()))
    assert broken.rule == "NO_OPEN_APPLICATION"
    assert broken.message == "Ana has no open application to 'Robotics Club'"
    deny = lambda p: p.deny(student_id=uuid4(), student_name="Ana", reason="", at=AT)  # noqa: E731
    assert refused(history, deny).rule == "NO_OPEN_APPLICATION"
