from __future__ import annotations

from uuid import uuid4

import pytest
from bridgework.domain.base import ordinal
from bridgework.domain.errors import RuleViolated
from bridgework.domain.mentor import Mentor
from bridgework.domain.partnership import Partnership
from support.given import AT


def test_a_partnership_needs_two_different_organisations():
    school = uuid4()
    with pytest.raises(RuleViolated, match="at least two different organisations"):
        Partnership.form(id=uuid4(), name="Solo", organisation_ids=(school,), goals=(), at=AT)
    with pytest.raises(RuleViolated, match="at least two"):
        Partnership.form(
            id=uuid4(), name="Echo", organisation_ids=(school, school), goals=(), at=AT
        )


def test_a_mentor_at_capacity_takes_no_more_mentees():
    mentor = Mentor.register(
        id=uuid4(), name="Dana Ortiz", organisation_id=uuid4(), capacity=1, at=AT
    )
    program = uuid4()
    mentor.take_mentee(program_id=program, student_id=uuid4(), at=AT)
    with pytest.raises(RuleViolated, match="Dana Ortiz already mentors 1 of 1 students"):
        mentor.take_mentee(program_id=program, student_id=uuid4(), at=AT)


def test_a_released_mentee_frees_the_mentor():
    mentor = Mentor.register(id=uuid4(), name="Dana", organisation_id=uuid4(), capacity=1, at=AT)
    program, student = uuid4(), uuid4()
    mentor.take_mentee(program_id=program, student_id=student, at=AT)
    mentor.release_mentee(program_id=program, student_id=student, at=AT)
    mentor.take_mentee(program_id=program, student_id=uuid4(), at=AT)
    names = [type(e).__name__ for e in mentor.collect_events()]
    assert names == ["MentorRegistered", "MenteeTaken", "MenteeReleased", "MenteeTaken"]


@pytest.mark.parametrize(
    ("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (22, "22nd")]
)
def test_places_in_line_read_as_ordinals(n, text):
    assert ordinal(n) == text
