"""Hours logs (HoursLog aggregate): a day's hours, verified by the supervisor through a
mailed link (the log keeps its hash), then approved or rejected by the school."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from bridgework.domain.hours import HoursLog, HoursStatus
from support.given import AT, given, names, refused, started, when

EXPIRES = AT + timedelta(days=7)
STUDENT = uuid4()
FIRST, SECOND = "1" * 64, "2" * 64


def submit(hours="6.5", worked_on=date(2026, 3, 1)):
    return lambda _: HoursLog.submit(
        id=uuid4(),
        student_id=STUDENT,
        program_id=uuid4(),
        organisation_ids=(),
        program_runs=(date(2026, 3, 1), date(2026, 6, 12)),
        worked_on=worked_on,
        hours=Decimal(hours),
        activity="Soldering the arm",
        supervisor_name="Dr. Rosa Diaz",
        supervisor_email="rosa@example.org",
        link_hash=FIRST,
        link_expires_at=EXPIRES,
        at=AT,
    )


def submitted() -> list:
    return started(submit()(None))


def verify(link=FIRST, at=AT):
    return lambda h: h.verify(token_hash=link, supervisor_name="Dr. Rosa Diaz", at=at)


def decline(p):
    p.decline(token_hash=FIRST, supervisor_name="Dr. Rosa Diaz", reason="I was away", at=AT)


def approve(h):
    h.approve(note="Thank you", at=AT)


def reject(h):
    h.reject(reason="Not a school day", at=AT)


def test_hours_are_submitted_with_the_supervisors_first_link():
    events = submitted()
    assert names(events) == ["HoursSubmitted", "VerificationLinkIssued"]
    assert (events[1].issue, events[1].expires_at) == (1, EXPIRES)
    assert (events[1].token_hash, events[1].sent_to) == (FIRST, "rosa@example.org")
    log = given(events)
    assert (log.status, log.hours, log.issue) == (HoursStatus.SUBMITTED, Decimal("6.5"), 1)


@pytest.mark.parametrize(
    ("command", "rule", "says"),
    [
        (submit(hours="0"), "HOURS_OUT_OF_RANGE", "0 hours is not between 0 and 24"),
        (submit(hours="24.5"), "HOURS_OUT_OF_RANGE", "24.5 hours is not between 0 and 24"),
        (
            submit(worked_on=date(2026, 3, 3)),
            "DATE_IN_FUTURE",
            "Hours cannot be logged for a day to come",
        ),
        (
            submit(worked_on=date(2026, 2, 27)),
            "OUTSIDE_PROGRAM",
            "The program runs from 1 March 2026 to 12 June 2026; 27 February 2026 is outside it",
        ),
    ],
)
def test_hours_are_a_day_of_at_most_24_within_the_program_and_not_to_come(command, rule, says):
    broken = refused([], command)
    assert (broken.rule, broken.message) == (rule, says)


def test_a_new_link_supersedes_the_old_one():
    history = submitted()
    log = given(history)
    assert log.issue_link(token_hash=SECOND, expires_at=EXPIRES + timedelta(days=7), at=AT) == 2
    events = log.collect_events()
    assert names(events) == ["VerificationLinkIssued"]
    history += events
    broken = refused(history, verify(link=FIRST))
    assert broken.rule == "LINK_SUPERSEDED"
    assert broken.message == "A newer link was sent for these hours; use that one"
    assert refused(history, verify(link="3" * 64)).rule == "LINK_UNKNOWN"
    verified = when(history, verify(link=SECOND))
    assert names(verified) == ["HoursVerified"]
    assert verified[0].issue == 2


def test_a_link_issued_before_links_were_hashed_no_longer_works():
    upcast = HoursLog.VerificationLinkIssued.upcast_v1_v2({"issue": 1, "expires_at": EXPIRES})
    assert (upcast["token_hash"], upcast["sent_to"]) == ("", "")
    created, issued = submitted()
    history = [created, dataclasses.replace(issued, **upcast | {"issue": 1})]
    assert refused(history, verify(link=FIRST)).rule == "LINK_UNKNOWN"
    assert refused(history, verify(link="")).rule == "LINK_UNKNOWN"


def test_the_supervisor_verifies_or_declines_through_the_link_once():
    history = submitted()
    events = when(history, verify())
    assert names(events) == ["HoursVerified"]
    assert (events[0].student_id, events[0].issue) == (STUDENT, 1)
    declined = when(history, decline)
    assert names(declined) == ["HoursDeclined"]
    assert declined[0].reason == "I was away"
    assert given(history + declined).status is HoursStatus.DECLINED
    history += events
    broken = refused(history, verify())
    assert broken.rule == "LINK_ALREADY_USED"
    assert broken.message == "These hours were already verified; the link cannot be used again"
    broken = refused(history, lambda h: h.issue_link(token_hash=SECOND, expires_at=EXPIRES, at=AT))
    assert broken.rule == "HOURS_ALREADY_DECIDED"


def test_an_expired_link_no_longer_works():
    broken = refused(submitted(), verify(at=EXPIRES + timedelta(seconds=1)))
    assert broken.rule == "LINK_EXPIRED"
    assert broken.message == "This link expired on 9 March 2026; ask the student to send a new one"


def test_the_school_approves_or_rejects_verified_hours():
    history = submitted()
    history += when(history, verify())
    events = when(history, approve)
    assert names(events) == ["HoursApproved"]
    assert (events[0].student_id, events[0].note) == (STUDENT, "Thank you")
    rejected = when(history, reject)
    assert names(rejected) == ["HoursRejected"]
    assert given(history + rejected).status is HoursStatus.REJECTED
    history += events
    broken = refused(history, reject)
    assert broken.rule == "HOURS_DECIDED"
    assert broken.message.startswith("Hours that are approved cannot be rejected")


def test_the_school_decides_only_once_the_supervisor_has_verified():
    broken = refused(submitted(), approve)
    assert broken.rule == "HOURS_NOT_VERIFIED"
    assert broken.message == (
        "Hours that are submitted cannot be approved: the school decides on hours once the "
        "supervisor has verified them"
    )
    history = submitted()
    history += when(history, decline)
    assert refused(history, reject).rule == "HOURS_DECIDED"
