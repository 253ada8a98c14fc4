"""Showcases: a program's students presenting to its partners (Program aggregate)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from support.given import AT, enrol, given, launched, names, refused, when

PARTNER = uuid4()


def showcase(presenters: tuple, guests: tuple, held_on=date(2026, 5, 1), showcase_id=None):
    return lambda p: p.record_showcase(
        showcase_id=showcase_id or uuid4(),
        title="Spring Demo Day",
        held_on=held_on,
        presenter_ids=presenters,
        attending_organisation_ids=guests,
        partner_ids=frozenset({PARTNER}),
        at=AT,
    )


def test_a_showcase_needs_the_programs_students_and_its_partners():
    history = launched()
    student = uuid4()
    history += when(history, enrol(student))
    assert names(when(history, showcase((student,), (PARTNER,)))) == ["ShowcaseRecorded"]
    broken = refused(history, showcase((uuid4(),), ()))
    assert (broken.rule, "not students of" in broken.message) == ("PRESENTER_NOT_IN_PROGRAM", True)
    broken = refused(history, showcase((student,), (uuid4(),)))
    assert (broken.rule, "not partners" in broken.message) == ("ORGANISATION_NOT_A_PARTNER", True)
    broken = refused(history, showcase((student,), (), date(2026, 1, 1)))
    assert broken.rule == "SHOWCASE_BEFORE_START"
    assert broken.message == (
        "Showcase 'Spring Demo Day' (1 January 2026) is before 'Robotics Club' starts "
        "(1 March 2026)"
    )


def test_students_who_completed_the_program_may_present_and_a_showcase_is_recorded_once():
    history = launched()
    student, showcase_id = uuid4(), uuid4()
    history += when(history, enrol(student))
    history += when(history, lambda p: p.complete(student_id=student, student_name="A", at=AT))
    events = when(history, showcase((student,), (PARTNER,), showcase_id=showcase_id))
    assert names(events) == ["ShowcaseRecorded"]
    assert (events[0].presenter_ids, events[0].attending_organisation_ids) == (
        (student,),
        (PARTNER,),
    )
    history += events
    assert given(history).showcase_ids == {showcase_id}
    broken = refused(history, showcase((student,), (), showcase_id=showcase_id))
    assert broken.rule == "SHOWCASE_EXISTS"
    assert broken.message == "Showcase 'Spring Demo Day' is already recorded"
