"""Mentoring: matches on the Program aggregate (proposed, declined, assigned, closed) and a
Mentor's mentees and meetings."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from bridgework.domain.mentoring import MatchClosure
from support.given import AT, cleared, enrol, given, launched, names, refused, when

STUDENT, MENTOR = uuid4(), uuid4()


def assign(student_id=STUDENT, mentor_id=MENTOR, student="Ana"):
    return lambda p: p.assign_mentor(
        student_id=student_id, student_name=student, mentor_id=mentor_id, mentor_name="Dana", at=AT
    )


def propose(student_id=STUDENT, mentor_id=MENTOR):
    return lambda p: p.propose_match(
        student_id=student_id, student_name="Ana", mentor_id=mentor_id, mentor_name="Dana", at=AT
    )


def decline(student_id=STUDENT):
    return lambda p: p.decline_match(
        student_id=student_id, student_name="Ana", reason="no evenings", at=AT
    )


def close(student_id=STUDENT):
    return lambda p: p.close_match(
        student_id=student_id,
        student_name="Ana",
        reason=MatchClosure.SCHEDULE,
        note="moved shifts",
        at=AT,
    )


def with_student() -> list:
    history = launched()
    return history + when(history, enrol(STUDENT))


def test_a_mentor_can_only_be_assigned_to_an_enrolled_student_once():
    history = with_student()
    events = when(history, assign())
    assert names(events) == ["MentorAssigned"]
    broken = refused(history + events, assign())
    assert (broken.rule, "Dana already mentors Ana" in broken.message) == (
        "MENTOR_ALREADY_ASSIGNED",
        True,
    )
    broken = refused(history, assign(student_id=uuid4(), student="X"))
    assert broken.rule == "NOT_ENROLLED"
    assert "not enrolled" in broken.message


def test_a_student_has_one_mentor_at_a_time():
    history = with_student()
    history += when(history, assign())
    broken = refused(history, assign(mentor_id=uuid4()))
    assert broken.rule == "STUDENT_HAS_MENTOR"
    assert broken.message == "Ana already has a mentor in 'Robotics Club'"
    assert refused(history, propose(mentor_id=uuid4())).rule == "STUDENT_HAS_MENTOR"


def test_a_match_is_proposed_once_and_an_assignment_settles_the_proposal():
    history = with_student()
    events = when(history, propose())
    assert names(events) == ["MentorMatchProposed"]
    history += events
    assert given(history).proposal_for(STUDENT, "Ana") == MENTOR
    broken = refused(history, propose(mentor_id=uuid4()))
    assert broken.rule == "MATCH_ALREADY_PROPOSED"
    assert broken.message == ("A match for Ana in 'Robotics Club' already awaits a mentor's answer")
    history += when(history, assign())  # the mentor confirms
    program = given(history)
    assert (program.proposed, program.mentor_of) == ({}, {STUDENT: MENTOR})


def test_a_declined_proposal_names_the_mentor_who_declined():
    history = with_student()
    history += when(history, propose())
    events = when(history, decline())
    assert names(events) == ["MentorMatchDeclined"]
    assert (events[0].mentor_id, events[0].reason) == (MENTOR, "no evenings")
    history += events
    broken = refused(history, decline())
    assert broken.rule == "NO_PROPOSED_MATCH"
    assert broken.message == "No match for Ana in 'Robotics Club' is proposed"


def test_closing_a_match_frees_the_student_and_returns_the_mentor():
    history = with_student()
    history += when(history, assign())
    program = given(history)
    assert close()(program) == MENTOR
    events = program.collect_events()
    assert names(events) == ["MentorMatchClosed"]
    assert (events[0].reason, events[0].note) == (MatchClosure.SCHEDULE, "moved shifts")
    history += events
    assert given(history).mentor_of == {}
    broken = refused(history, close())
    assert broken.rule == "NO_MENTOR_MATCH"
    assert broken.message == "Ana has no mentor in 'Robotics Club' to part from"


def test_a_withdrawn_student_loses_their_match_and_proposal():
    history = with_student()
    proposed = uuid4()
    history += when(history, enrol(proposed))
    history += when(history, assign())
    history += when(history, propose(student_id=proposed))
    for student in (STUDENT, proposed):
        history += when(
            history,
            lambda p, s=student: p.withdraw(student_id=s, student_name="A", reason="", at=AT),
        )
    program = given(history)
    assert (program.mentor_of, program.proposed) == ({}, {})


# The mentor's side -----------------------------------------------------------------------


def take(program, student):
    return lambda m: m.take_mentee(program_id=program, student_id=student, at=AT)


def test_a_mentor_at_capacity_takes_no_more_mentees():
    history = cleared()
    program = uuid4()
    history += when(history, take(program, uuid4()))
    broken = refused(history, take(program, uuid4()))
    assert broken.rule == "MENTOR_AT_CAPACITY"
    assert "Dana Ortiz already mentors 1 of 1 students" in broken.message


def test_a_released_mentee_frees_the_mentor():
    history = cleared("Dana")
    program, student = uuid4(), uuid4()
    history += when(history, take(program, student))
    history += when(
        history, lambda m: m.release_mentee(program_id=program, student_id=student, at=AT)
    )
    history += when(history, take(program, uuid4()))
    assert names(history) == [
        "MentorRegistered",
        "ClearanceRecorded",
        "MenteeTaken",
        "MenteeReleased",
        "MenteeTaken",
    ]


def test_taking_a_mentee_again_or_releasing_a_stranger_records_nothing():
    history = cleared()
    program, student = uuid4(), uuid4()
    history += when(history, take(program, student))
    assert when(history, take(program, student)) == []
    release = lambda m: m.release_mentee(program_id=program, student_id=uuid4(), at=AT)  # noqa: E731
    assert when(history, release) == []


TODAY = AT.date()


def meet(program, student, met_on=TODAY):
    return lambda m: m.log_meeting(
        program_id=program, student_id=student, met_on=met_on, minutes=45, notes="CV", at=AT
    )


def test_a_mentor_logs_meetings_with_a_current_mentee_only_once_they_happened():
    history = cleared()
    program, student = uuid4(), uuid4()
    history += when(history, take(program, student))
    events = when(history, meet(program, student))
    assert names(events) == ["MeetingLogged"]
    assert (events[0].minutes, events[0].notes) == (45, "CV")
    broken = refused(history, meet(program, uuid4()))
    assert broken.rule == "NOT_A_MENTEE"
    assert broken.message == "Dana Ortiz does not mentor that student in that program"
    broken = refused(history, meet(program, student, TODAY + timedelta(days=1)))
    assert broken.rule == "MEETING_IN_FUTURE"
    assert broken.message == "A meeting cannot be logged before it happens (3 March 2026)"
