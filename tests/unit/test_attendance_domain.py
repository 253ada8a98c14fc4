"""Sessions of a program and who attended them (Program aggregate)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from bridgework.domain.attendance import Attendance
from support.given import AT, enrol, given, launched, names, refused, when

SESSION = uuid4()


def schedule(held_on=date(2026, 3, 2), session_id=SESSION):
    return lambda p: p.schedule_session(
        session_id=session_id, held_on=held_on, title="Motors and gears", at=AT
    )


def mark(*marks, session_id=SESSION, at=AT):
    return lambda p: p.record_attendance(session_id=session_id, marks=marks, at=at)


def test_a_session_is_scheduled_within_the_program():
    history = launched()
    events = when(history, schedule(date(2026, 6, 12)))  # the last day counts
    assert names(events) == ["SessionScheduled"]
    assert given(history + events).sessions == {SESSION: date(2026, 6, 12)}


def test_a_session_outside_the_program_is_refused():
    broken = refused(launched(), schedule(date(2026, 2, 28)))
    assert broken.rule == "SESSION_OUTSIDE_PROGRAM"
    assert broken.message == (
        "'Robotics Club' runs from 1 March 2026 to 12 June 2026; a session on "
        "28 February 2026 is outside it"
    )


def test_attendance_is_marked_for_students_in_the_program_and_a_later_mark_corrects_it():
    history = launched()
    ana, bo = uuid4(), uuid4()
    history += when(history, enrol(ana))
    history += when(history, enrol(bo))
    history += when(history, lambda p: p.complete(student_id=bo, student_name="Bo", at=AT))
    history += when(history, schedule())
    events = when(history, mark((ana, Attendance.PRESENT), (bo, Attendance.EXCUSED)))
    assert names(events) == ["AttendanceRecorded"]
    assert (events[0].held_on, events[0].marks) == (
        date(2026, 3, 2),
        ((ana, Attendance.PRESENT), (bo, Attendance.EXCUSED)),
    )
    history += events
    assert names(when(history, mark((ana, Attendance.UNEXCUSED)))) == ["AttendanceRecorded"]


def test_attendance_needs_a_known_session_that_has_been_held():
    history = launched()
    history += when(history, schedule(AT.date() + timedelta(days=1)))
    unknown = uuid4()
    broken = refused(history, mark(session_id=unknown))
    assert broken.rule == "UNKNOWN_SESSION"
    assert broken.message == f"'Robotics Club' has no session {unknown}"
    broken = refused(history, mark())
    assert broken.rule == "SESSION_NOT_HELD_YET"
    assert broken.message == "The session on 3 March 2026 has not happened yet"


def test_attendance_is_refused_for_students_not_in_the_program():
    history = launched()
    history += when(history, schedule())
    broken = refused(history, mark((uuid4(), Attendance.PRESENT)))
    assert broken.rule == "NOT_ENROLLED"
    assert broken.message == "1 of the students marked are not in 'Robotics Club'"
