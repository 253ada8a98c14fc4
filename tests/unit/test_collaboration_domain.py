"""How partners work together (Partnership aggregate): liaisons, contributions, check-ins."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from bridgework.domain.collaboration import ContributionKind, FollowUp
from support.given import AT, BUSINESS, formed, given, names, refused, when

LIAISON = uuid4()


def appoint(organisation_id=BUSINESS):
    return lambda p: p.appoint_liaison(
        liaison_id=LIAISON,
        organisation_id=organisation_id,
        name="Kim Park",
        title="STEM outreach lead",
        email="kim@example.org",
        phone=None,
        at=AT,
    )


def stand_down(p):
    p.stand_down_liaison(liaison_id=LIAISON, reason="new role", at=AT)


def test_a_partner_appoints_a_liaison_who_can_stand_down_once():
    history = formed()
    events = when(history, appoint())
    assert names(events) == ["LiaisonAppointed"]
    history += events
    assert given(history).liaisons == {LIAISON}
    events = when(history, stand_down)
    assert names(events) == ["LiaisonStoodDown"]
    history += events
    broken = refused(history, stand_down)
    assert broken.rule == "NOT_A_LIAISON"
    assert broken.message == f"{LIAISON} is not a current liaison of 'Solar Futures'"


def test_a_liaison_comes_from_a_partner():
    broken = refused(formed(), appoint(uuid4()))
    assert broken.rule == "ORGANISATION_NOT_A_PARTNER"
    assert broken.message == "A liaison must come from a partner of 'Solar Futures'"


def contribute(kind, value=None, currency=None, hours=None, organisation_id=BUSINESS):
    return lambda p: p.record_contribution(
        contribution_id=uuid4(),
        organisation_id=organisation_id,
        kind=kind,
        description="Spring term",
        value=value,
        currency=currency,
        hours=hours,
        contributed_on=date(2026, 2, 1),
        at=AT,
    )


def test_contributions_are_recorded_with_their_amount_or_hours():
    history = formed()
    funding = when(history, contribute(ContributionKind.FUNDING, Decimal(5000), "USD"))
    assert names(funding) == ["ContributionRecorded"]
    assert (funding[0].value, funding[0].currency) == (Decimal(5000), "USD")
    hours = when(history, contribute(ContributionKind.VOLUNTEER_HOURS, hours=Decimal(12)))
    assert hours[0].hours == Decimal(12)
    assert names(when(history, contribute(ContributionKind.EQUIPMENT))) == ["ContributionRecorded"]


@pytest.mark.parametrize(
    ("command", "rule", "says"),
    [
        (
            contribute(ContributionKind.FUNDING, Decimal(5000)),
            "FUNDING_NEEDS_AMOUNT",
            "Funding needs an amount and its currency",
        ),
        (
            contribute(ContributionKind.VOLUNTEER_HOURS),
            "HOURS_NEEDED",
            "Volunteer hours need the number of hours",
        ),
        (
            contribute(ContributionKind.SPACE, organisation_id=uuid4()),
            "ORGANISATION_NOT_A_PARTNER",
            "A contribution must come from a partner of 'Solar Futures'",
        ),
    ],
)
def test_a_contribution_says_what_was_given_by_which_partner(command, rule, says):
    broken = refused(formed(), command)
    assert (broken.rule, broken.message) == (rule, says)


TODAY = AT.date()


def check_in(held_on=TODAY):
    return lambda p: p.hold_check_in(
        check_in_id=uuid4(),
        held_on=held_on,
        attendees=("Kim Park", "Ms Diaz"),
        notes="Lab booked",
        decisions=("Run a June showcase",),
        follow_ups=(FollowUp("Book the hall", "Ms Diaz", date(2026, 4, 1)),),
        at=AT,
    )


def test_a_check_in_is_recorded_once_held():
    history = formed()
    events = when(history, check_in())
    assert names(events) == ["CheckInHeld"]
    assert events[0].follow_ups == (FollowUp("Book the hall", "Ms Diaz", date(2026, 4, 1)),)
    assert len(given(history + events).check_in_ids) == 1
    broken = refused(history, check_in(TODAY + timedelta(days=1)))
    assert broken.rule == "CHECK_IN_IN_FUTURE"
    assert broken.message == (
        "A check-in of 'Solar Futures' cannot be recorded before it is held (3 March 2026)"
    )
