"""A partnership's lifecycle (Partnership aggregate): formed or proposed, activated,
suspended, renewed and concluded, and the programs it launches."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from bridgework.domain.partnership import Partnership
from bridgework.domain.partnership_state import PartnershipStatus
from support.given import (
    AT,
    BUSINESS,
    SCHOOL,
    formed,
    given,
    names,
    refused,
    when,
)


def test_a_partnership_is_formed_active_or_only_proposed():
    events = formed()
    assert names(events) == ["PartnershipFormed"]
    partnership = given(events)
    assert (partnership.status, partnership.organisation_ids) == (
        PartnershipStatus.ACTIVE,
        (SCHOOL, BUSINESS),
    )
    assert partnership.includes(SCHOOL)
    assert not partnership.includes(uuid4())
    assert given(formed(proposed=True)).status is PartnershipStatus.PROPOSED


def form(*organisation_ids):
    return lambda _: Partnership.form(
        id=uuid4(), name="Solo", organisation_ids=organisation_ids, goals=(), at=AT
    )


def test_a_partnership_needs_two_different_organisations():
    school = uuid4()
    broken = refused([], form(school))
    assert broken.rule == "PARTNERSHIP_NEEDS_TWO_ORGANISATIONS"
    assert "at least two different organisations" in broken.message
    assert "at least two" in refused([], form(school, school)).message
    broken = refused([], form(school, uuid4(), school))
    assert broken.rule == "DUPLICATE_ORGANISATION"
    assert broken.message == "Partnership 'Solo' lists the same organisation more than once"


def activate(p):
    p.activate(reason="signed", at=AT)


def suspend(p):
    p.suspend(reason="funding paused", at=AT)


def conclude(p):
    p.conclude(reason="grant ended", at=AT)


def add_program(p):
    p.add_program(program_id=uuid4(), name="Robotics Club", at=AT)


def renew(starts_on=date(2026, 9, 1), ends_on=date(2027, 6, 30)):
    return lambda p: p.renew(
        term_starts_on=starts_on, term_ends_on=ends_on, reason="second year", at=AT
    )


def test_a_proposed_partnership_starts_when_activated_and_a_suspended_one_resumes():
    history = formed(proposed=True)
    events = when(history, activate)
    assert names(events) == ["PartnershipActivated"]
    history += events
    history += when(history, suspend)
    assert given(history).status is PartnershipStatus.SUSPENDED
    history += when(history, activate)
    assert given(history).status is PartnershipStatus.ACTIVE
    broken = refused(history, activate)
    assert broken.rule == "PARTNERSHIP_STATUS"
    assert broken.message == "Partnership 'Solar Futures' is active, so it cannot be activated"


def test_only_an_active_partnership_is_suspended_renewed_or_given_programs():
    history = formed()
    assert names(when(history, add_program)) == ["ProgramAdded"]
    assert names(when(history, renew())) == ["PartnershipRenewed"]
    history += when(history, suspend)
    assert refused(history, suspend).rule == "PARTNERSHIP_STATUS"
    assert refused(history, renew()).rule == "PARTNERSHIP_STATUS"
    broken = refused(history, add_program)
    assert broken.rule == "PARTNERSHIP_STATUS"
    assert broken.message == (
        "Partnership 'Solar Futures' is suspended, so it cannot be given a new program "
        "('Robotics Club')"
    )


def test_a_term_ends_after_it_starts():
    broken = refused(formed(), renew(ends_on=date(2026, 9, 1)))
    assert broken.rule == "TERM_ENDS_BEFORE_IT_STARTS"
    assert broken.message == (
        "A term of 'Solar Futures' cannot end (1 September 2026) on or before it starts "
        "(1 September 2026)"
    )


@pytest.mark.parametrize("proposed", [True, False])
def test_a_proposed_active_or_suspended_partnership_can_be_concluded(proposed):
    history = formed(proposed=proposed)
    if not proposed:
        history += when(history, suspend)
    events = when(history, conclude)
    assert names(events) == ["PartnershipConcluded"]
    assert given(history + events).status is PartnershipStatus.CONCLUDED


def test_a_concluded_partnership_takes_no_more_changes():
    history = formed()
    history += when(history, conclude)
    broken = refused(history, suspend)
    assert broken.rule == "PARTNERSHIP_CONCLUDED"
    assert "Partnership 'Solar Futures' is concluded" in broken.message
    for command in (activate, conclude, add_program, renew()):
        assert refused(history, command).rule == "PARTNERSHIP_CONCLUDED"
    broken = refused(
        history,
        lambda p: p.appoint_liaison(
            liaison_id=uuid4(),
            organisation_id=SCHOOL,
            name="x",
            title="",
            email=None,
            phone=None,
            at=AT,
        ),
    )
    assert broken.rule == "PARTNERSHIP_CONCLUDED"


def test_the_partnership_stream_is_named_by_its_id():
    partnership = given(formed())
    assert Partnership.stream_id(partnership.id) == f"partnership-{partnership.id}"
