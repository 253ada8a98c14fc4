"""Enrolment on the Program aggregate: seats, the waitlist, withdrawal and completion."""

from __future__ import annotations

from uuid import uuid4

import pytest
from bridgework.domain.base import ordinal
from bridgework.domain.errors import RuleViolated
from support.given import AT, enrol, given, launched, names, refused, when


def test_a_student_takes_a_free_seat():
    history = launched(capacity=2)
    student = uuid4()
    events = when(history, enrol(student))
    assert names(events) == ["StudentEnrolled"]
    assert events[0].student_id == student
    assert events[0].timestamp == AT


def test_a_full_program_waitlists_the_next_student():
    history = launched(capacity=1)
    history += when(history, enrol(uuid4()))
    events = when(history, enrol(uuid4()))
    assert names(events) == ["StudentWaitlisted"]


def test_the_waitlist_notice_names_the_seats_and_the_place_in_line():
    history = launched(capacity=1)
    history += when(history, enrol(uuid4()))
    history += when(history, enrol(uuid4(), "Bo Chen"))
    late = uuid4()
    history += when(history, enrol(late, "Ana Lima"))
    notice = given(history).waitlist_notice(late, "Ana Lima")
    assert notice == (
        "Program 'Robotics Club' is full: 1 of 1 seats taken; Ana Lima is 2nd on the waitlist"
    )


def test_a_withdrawal_promotes_the_first_waitlisted_student():
    history = launched(capacity=1)
    first, second, third = uuid4(), uuid4(), uuid4()
    for s in (first, second, third):
        history += when(history, enrol(s))
    events = when(
        history, lambda p: p.withdraw(student_id=first, student_name="A", reason="moved", at=AT)
    )
    assert names(events) == ["StudentWithdrawn", "StudentPromotedFromWaitlist"]
    assert events[1].student_id == second
    program = given(history + events)
    assert program.enrolled == [second]
    assert program.waitlist == [third]


def test_withdrawing_from_the_waitlist_promotes_nobody():
    history = launched(capacity=1)
    first, second = uuid4(), uuid4()
    history += when(history, enrol(first))
    history += when(history, enrol(second))
    events = when(
        history, lambda p: p.withdraw(student_id=second, student_name="B", reason="", at=AT)
    )
    assert names(events) == ["StudentWithdrawn"]
    assert given(history + events).enrolled == [first]


def test_a_student_cannot_enrol_twice():
    history = launched()
    student = uuid4()
    history += when(history, enrol(student))
    with pytest.raises(RuleViolated, match="Ana Lima is already enrolled in 'Robotics Club'") as e:
        when(history, enrol(student))
    assert e.value.rule == "ALREADY_ENROLLED"


def test_a_waitlisted_student_is_told_their_place_when_enrolling_again():
    history = launched(capacity=1)
    history += when(history, enrol(uuid4()))
    waiting = uuid4()
    history += when(history, enrol(waiting))
    with pytest.raises(RuleViolated, match="already 1st on the waitlist") as e:
        when(history, enrol(waiting))
    assert e.value.rule == "ALREADY_WAITLISTED"


def test_a_program_that_has_ended_takes_no_enrolments():
    program = given(launched())
    late = AT.replace(year=2027)
    with pytest.raises(RuleViolated, match="ended on 12 June 2026") as e:
        program.enrol(student_id=uuid4(), student_name="Ana Lima", at=late)
    assert e.value.rule == "PROGRAM_ENDED"
    assert program.collect_events() == []


def test_completing_passes_the_seat_to_the_first_waitlisted_student():
    history = launched(capacity=1)
    student, waiting = uuid4(), uuid4()
    history += when(history, enrol(student))
    history += when(history, enrol(waiting))
    events = when(history, lambda p: p.complete(student_id=student, student_name="A", at=AT))
    assert names(events) == ["EnrolmentCompleted", "StudentPromotedFromWaitlist"]
    assert events[1].student_id == waiting
    program = given(history + events)
    assert program.completed == {student}
    assert program.enrolled == [waiting]


def test_completing_with_no_one_waiting_leaves_the_seat_free():
    history = launched(capacity=1)
    student = uuid4()
    history += when(history, enrol(student))
    events = when(history, lambda p: p.complete(student_id=student, student_name="A", at=AT))
    assert names(events) == ["EnrolmentCompleted"]
    assert not given(history + events).is_full


def test_only_an_enrolled_student_can_complete():
    history = launched(capacity=1)
    history += when(history, enrol(uuid4()))
    waiting = uuid4()
    history += when(history, enrol(waiting))
    with pytest.raises(RuleViolated, match="is not enrolled"):
        when(history, lambda p: p.complete(student_id=waiting, student_name="W", at=AT))


def test_a_rejected_command_records_nothing_and_replay_rechecks_nothing():
    history = launched(capacity=1)
    student = uuid4()
    history += when(history, enrol(student))
    program = given(history)
    with pytest.raises(RuleViolated):
        program.enrol(student_id=student, student_name="Ana", at=AT)
    assert program.collect_events() == []
    # Replaying a waitlist after the capacity rule would refuse it must still work.
    assert given(history).version == len(history)


def test_a_student_who_completed_cannot_enrol_again():
    history = launched()
    student = uuid4()
    history += when(history, enrol(student))
    history += when(history, lambda p: p.complete(student_id=student, student_name="A", at=AT))
    broken = refused(history, enrol(student))
    assert broken.rule == "ALREADY_COMPLETED"
    assert broken.message == "Ana Lima has already completed 'Robotics Club'"
    broken = refused(history, lambda p: p.complete(student_id=student, student_name="A", at=AT))
    assert broken.rule == "ALREADY_COMPLETED"


def test_only_a_student_with_a_place_or_an_application_can_withdraw():
    broken = refused(
        launched(),
        lambda p: p.withdraw(student_id=uuid4(), student_name="Bo", reason="", at=AT),
    )
    assert broken.rule == "NOT_ENROLLED"
    assert broken.message == (
        "Bo is neither enrolled in, waitlisted for nor applying to 'Robotics Club'"
    )


def test_records_about_a_program_need_a_student_who_held_a_seat_in_it():
    history = launched(capacity=1)
    seated, waiting = uuid4(), uuid4()
    history += when(history, enrol(seated))
    history += when(history, enrol(waiting))
    program = given(history)
    program.require_participant(seated, "Ana")
    with pytest.raises(RuleViolated, match="Bo has not taken part in 'Robotics Club'") as e:
        program.require_participant(waiting, "Bo")
    assert e.value.rule == "NOT_IN_PROGRAM"
    assert (program.holds_place(waiting), program.waitlist_place(waiting)) == (True, 1)
    assert program.waitlist_place(seated) is None
    history += when(history, lambda p: p.complete(student_id=seated, student_name="A", at=AT))
    given(history).require_participant(seated, "Ana")  # completed students took part


@pytest.mark.parametrize(
    ("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (22, "22nd")]
)
def test_places_in_line_read_as_ordinals(n, text):
    assert ordinal(n) == text


def test_the_seat_and_waitlist_sets_follow_every_move():
    """`seated` and `waiting` answer "is this student in?" without scanning thousands of
    ids; they hold exactly the students of `enrolled` and `waitlist` after each kind of move."""
    history = launched(capacity=2)
    a, b, c, d = uuid4(), uuid4(), uuid4(), uuid4()
    for s in (a, b, c, d):
        history += when(history, enrol(s))
    history += when(
        history, lambda p: p.withdraw(student_id=a, student_name="A", reason="", at=AT)
    )  # c promoted
    history += when(history, lambda p: p.complete(student_id=b, student_name="B", at=AT))
    history += when(history, lambda p: p.withdraw(student_id=d, student_name="D", reason="", at=AT))
    program = given(history)
    assert (program.enrolled, program.waitlist) == ([c], [])
    assert (program.seated, program.waiting, program.completed) == ({c}, set(), {b})
    assert [program.holds_place(s) for s in (a, b, c, d)] == [False, False, True, False]
    history += when(history, enrol(a))
    history += when(history, enrol(d))
    program = given(history)
    assert (program.enrolled, program.waitlist) == ([c, a], [d])
    assert (program.seated, program.waiting) == ({c, a}, {d})
    assert refused(history, enrol(a)).rule == "ALREADY_ENROLLED"
    assert refused(history, enrol(d)).rule == "ALREADY_WAITLISTED"
    assert refused(history, enrol(b)).rule == "ALREADY_COMPLETED"
