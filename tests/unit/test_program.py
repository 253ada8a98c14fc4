from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.domain.program import Program, ProgramKind
from support.given import AT, enrol, given, launched, names, when


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
    with pytest.raises(RuleViolated, match="already 1st on the waitlist"):
        when(history, enrol(waiting))


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


def test_a_mentor_can_only_be_assigned_to_an_enrolled_student_once():
    history = launched()
    student, mentor = uuid4(), uuid4()
    history += when(history, enrol(student))

    def assign(p: Program) -> None:
        p.assign_mentor(
            student_id=student, student_name="Ana", mentor_id=mentor, mentor_name="Dana", at=AT
        )

    events = when(history, assign)
    assert names(events) == ["MentorAssigned"]
    with pytest.raises(RuleViolated, match="Dana already mentors Ana"):
        when(history + events, assign)
    with pytest.raises(RuleViolated, match="not enrolled"):
        when(
            history,
            lambda p: p.assign_mentor(
                student_id=uuid4(), student_name="X", mentor_id=mentor, mentor_name="D", at=AT
            ),
        )


def test_a_showcase_needs_the_programs_students_and_its_partners():
    history = launched()
    student, partner = uuid4(), uuid4()
    history += when(history, enrol(student))

    def showcase(presenters: tuple, guests: tuple, held_on: date = date(2026, 5, 1)):
        return lambda p: p.record_showcase(
            showcase_id=uuid4(),
            title="Spring Demo Day",
            held_on=held_on,
            presenter_ids=presenters,
            attending_organisation_ids=guests,
            partner_ids=frozenset({partner}),
            at=AT,
        )

    assert names(when(history, showcase((student,), (partner,)))) == ["ShowcaseRecorded"]
    with pytest.raises(RuleViolated, match="not students of"):
        when(history, showcase((uuid4(),), ()))
    with pytest.raises(RuleViolated, match="not partners"):
        when(history, showcase((student,), (uuid4(),)))
    with pytest.raises(RuleViolated, match="before 'Robotics Club' starts"):
        when(history, showcase((student,), (), date(2026, 1, 1)))


def test_a_program_cannot_end_before_it_starts():
    with pytest.raises(RuleViolated, match="cannot end"):
        Program.launch(
            id=uuid4(),
            partnership_id=uuid4(),
            name="Backwards",
            kind=ProgramKind.WORKSHOP,
            capacity=5,
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 3, 1) - timedelta(days=1),
            at=AT,
        )


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
