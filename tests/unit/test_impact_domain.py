"""What a student tells about themselves for impact reports (Student aggregate)."""

from __future__ import annotations

from uuid import uuid4

from bridgework.domain.student import Demographic, Student
from support.given import AT, names, started, when


def report(*answers):
    return lambda s: s.report_demographics(answers=answers, at=AT)


def test_a_student_reports_demographics_and_an_empty_report_withdraws_them():
    history = started(Student.register(id=uuid4(), name="Ana", grade=11, school_id=None, at=AT))
    answers = ((Demographic.FIRST_GENERATION, "yes"), (Demographic.GENDER, "female"))
    events = when(history, report(*answers))
    assert names(events) == ["DemographicsReported"]
    assert events[0].answers == answers
    history += events
    withdrawn = when(history, report())
    assert names(withdrawn) == ["DemographicsReported"]
    assert withdrawn[0].answers == ()
