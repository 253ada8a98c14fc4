"""What a student achieved (Student aggregate): credentials earned and pathways taken."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from bridgework.domain.achievements import PLACEMENTS, Pathway
from bridgework.domain.student import Student
from support.given import AT, names, refused, started, when

PROGRAM = uuid4()
TODAY = AT.date()


def student() -> list:
    return started(Student.register(id=uuid4(), name="Ana", grade=11, school_id=None, at=AT))


def earn(name="OSHA 10", program_id=PROGRAM, earned_on=TODAY):
    return lambda s: s.earn_credential(
        credential_id=uuid4(),
        program_id=program_id,
        name=name,
        issuer="OSHA",
        earned_on=earned_on,
        at=AT,
    )


def pathway(on=TODAY):
    return lambda s: s.record_pathway(
        pathway_id=uuid4(),
        program_id=PROGRAM,
        pathway=Pathway.INTERNSHIP_OFFER,
        organisation="Helio Labs",
        on=on,
        at=AT,
    )


def test_a_credential_is_earned_once_per_program_whatever_its_case():
    history = student()
    events = when(history, earn())
    assert names(events) == ["CredentialEarned"]
    assert (events[0].name, events[0].issuer, events[0].program_id) == ("OSHA 10", "OSHA", PROGRAM)
    history += events
    broken = refused(history, earn("osha 10"))
    assert broken.rule == "CREDENTIAL_EXISTS"
    assert broken.message == "Ana already has the credential 'osha 10'"
    assert names(when(history, earn(program_id=None))) == ["CredentialEarned"]


def test_a_pathway_is_recorded_and_offers_count_as_placements():
    events = when(student(), pathway())
    assert names(events) == ["PathwayRecorded"]
    assert (events[0].pathway, events[0].organisation) == (Pathway.INTERNSHIP_OFFER, "Helio Labs")
    assert Pathway.INTERNSHIP_OFFER in PLACEMENTS
    assert Pathway.COLLEGE_STEM not in PLACEMENTS


def test_achievements_are_not_dated_after_today():
    tomorrow = TODAY + timedelta(days=1)
    broken = refused(student(), earn(earned_on=tomorrow))
    assert (broken.rule, broken.message) == (
        "DATE_IN_FUTURE",
        "A credential cannot be dated after today",
    )
    broken = refused(student(), pathway(on=tomorrow))
    assert (broken.rule, broken.message) == (
        "DATE_IN_FUTURE",
        "A pathway cannot be dated after today",
    )
