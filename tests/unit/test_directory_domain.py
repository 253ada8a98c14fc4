"""Registering who takes part, and launching programs: the creation commands of the
Organisation, Student, Mentor and Program aggregates."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from bridgework.domain.mentor import Mentor
from bridgework.domain.organisation import Organisation, OrganisationKind
from bridgework.domain.program import Program, ProgramKind
from bridgework.domain.student import Student
from support.given import AT, given, names, refused, started


def test_an_organisation_is_registered_with_its_kind():
    org = uuid4()
    events = started(
        Organisation.register(id=org, name="Valley High", kind=OrganisationKind.SCHOOL, at=AT)
    )
    assert names(events) == ["OrganisationRegistered"]
    assert (events[0].originator_id, events[0].timestamp) == (org, AT)
    organisation = given(events)
    assert (organisation.name, organisation.kind) == ("Valley High", OrganisationKind.SCHOOL)
    assert Organisation.stream_id(org) == f"organisation-{org}"


def test_a_student_is_registered_with_or_without_a_date_of_birth():
    school = uuid4()
    events = started(
        Student.register(
            id=uuid4(),
            name="Ana Lima",
            grade=10,
            school_id=school,
            at=AT,
            date_of_birth=date(2010, 5, 4),
        )
    )
    assert names(events) == ["StudentRegistered"]
    student = given(events)
    assert (student.grade, student.school_id, student.date_of_birth) == (
        10,
        school,
        date(2010, 5, 4),
    )
    assert student.age_on(date(2026, 5, 4)) == 16
    unknown = given(
        started(Student.register(id=uuid4(), name="Bo", grade=None, school_id=None, at=AT))
    )
    assert unknown.age_on(AT.date()) is None


def test_a_student_cannot_be_born_today_or_later():
    broken = refused(
        [],
        lambda _: Student.register(
            id=uuid4(), name="Ana", grade=None, school_id=None, at=AT, date_of_birth=AT.date()
        ),
    )
    assert broken.rule == "BORN_IN_THE_FUTURE"
    assert broken.message == "Ana's date of birth must be before today"


def test_a_mentor_is_registered_with_room_for_mentees_and_no_clearance_yet():
    org = uuid4()
    events = started(
        Mentor.register(id=uuid4(), name="Dana", organisation_id=org, capacity=3, at=AT)
    )
    assert names(events) == ["MentorRegistered"]
    mentor = given(events)
    assert (mentor.organisation_id, mentor.capacity, mentor.mentees, mentor.clearances) == (
        org,
        3,
        set(),
        {},
    )


def launch(capacity=5, starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 12)):
    return lambda _: Program.launch(
        id=uuid4(),
        partnership_id=uuid4(),
        organisation_ids=(),
        name="Backwards",
        kind=ProgramKind.WORKSHOP,
        capacity=capacity,
        starts_on=starts_on,
        ends_on=ends_on,
        at=AT,
    )


def test_a_program_is_launched_empty_with_its_seats_and_dates():
    events = started(launch(capacity=5, ends_on=date(2026, 3, 1))(None))  # one day is enough
    assert names(events) == ["ProgramLaunched"]
    program = given(events)
    assert (program.capacity, program.enrolled, program.waitlist, program.is_full) == (
        5,
        [],
        [],
        False,
    )


def test_a_program_cannot_end_before_it_starts():
    broken = refused([], launch(ends_on=date(2026, 3, 1) - timedelta(days=1)))
    assert broken.rule == "ENDS_BEFORE_IT_STARTS"
    assert broken.message == (
        "Program 'Backwards' cannot end (28 February 2026) before it starts (1 March 2026)"
    )


def test_a_program_needs_a_seat():
    broken = refused([], launch(capacity=0))
    assert broken.rule == "CAPACITY_TOO_SMALL"
    assert broken.message == "Program 'Backwards' needs at least one seat"
