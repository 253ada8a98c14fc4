"""Hours over GraphQL: the student logs them, the link is mailed to the supervisor (a real
SMTP server here), who reads and answers through it with no account, the school approves;
the views show each step. No answer to the student ever carries the link's token."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from api.conftest import settings
from bridgework.infra.app import create_app
from bridgework.infra.mail.settings import MailSettings
from litestar.testing import TestClient
from support.api import TODAY, Api, a_program, enrol, student
from support.hours import token_in
from support.smtp import Inbox, free_port, smtp_server

if TYPE_CHECKING:
    from collections.abc import Iterator

    from support.auth import Tokens

CHANGED = """__typename ... on HoursChanged { logId status position
  entry { hours status linkExpiresAt } }
  ... on RuleViolationError { rule } ... on ValidationError { field }
  ... on ForbiddenError { message }"""
SUBMIT = f"""mutation($input: SubmitHoursInput!) {{ submitHours(input: $input) {{ {CHANGED} }} }}"""
VERIFY = f"""mutation($input: VerifyHoursInput!) {{ verifyHours(input: $input) {{ {CHANGED} }} }}"""
APPROVE = f"""mutation($input: ApproveHoursInput!) {{ approveHours(input: $input) {{
  {CHANGED} }} }}"""
TO_VERIFY = """query($token: String!) { hoursToVerify(token: $token) {
  studentName programName workedOn hours activity } }"""
READS = """query($student: ID!) { student(id: $student) { hours { id status linkExpiresAt
  supervisorEmail } }
  events(first: 1000, types: ["HoursSubmitted", "VerificationLinkIssued"]) { edges { node {
    type payload metadata { actor } } } } }"""
OWN_HOURS = """query($student: ID!) { student(id: $student) { hours { id status linkExpiresAt
  supervisorEmail } } }"""
RESEND = """mutation($input: HoursEntryInput!) { resendVerificationLink(input: $input) {
  __typename ... on HoursChanged { logId status position entry { linkExpiresAt } }
  ... on UserError { message } } }"""
VIEW = """query($program: ID!, $student: ID!, $at: Int) {
  program(id: $program, atLeast: $at) { hoursTotals { submitted verified approved
    awaitingSupervisor awaitingSchool } }
  student(id: $student, atLeast: $at) { hours { hours status supervisorName } } }"""


@pytest.fixture
def mailed(database_url: str, tokens: Tokens) -> Iterator[tuple[Api, Inbox]]:
    """The app with its mailer sending to a real SMTP server on this machine."""
    inbox, port = Inbox(), free_port()
    mail = MailSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
    app = create_app(replace(settings(database_url), mail=mail))
    with smtp_server(port, inbox), TestClient(app) as client:
        yield Api(client, tokens), inbox


def link_in(inbox: Inbox, count: int) -> str:
    """The token of the `count`th mail, once the mailer has sent it."""
    deadline = time.monotonic() + 30
    while len(inbox.received) < count:
        assert time.monotonic() < deadline, "the link was not mailed"
        time.sleep(0.05)
    got = inbox.received[count - 1]
    assert got.rcpt_tos == ["dana@ardent.example"]
    return token_in(got.body)


def test_hours_from_the_student_to_the_supervisors_link_to_the_school(mailed):
    api, inbox = mailed
    program = a_program(api, capacity=2)[0]
    ana = student(api, "Ana Lima")
    enrol(api, program, ana)
    entry = {
        "studentId": ana,
        "programId": program,
        "workedOn": TODAY.isoformat(),
        "hours": "3.5",
        "activity": "Wired the arm",
        "supervisorName": "Dana Ortiz",
        "supervisorEmail": "dana@ardent.example",
    }
    as_ana = {"authorization": api.tokens.student(ana)}
    answered = api.post(SUBMIT, {"input": entry}, **as_ana)
    logged = answered["data"]["submitHours"]
    assert logged["status"] == "SUBMITTED"
    assert logged["entry"]["linkExpiresAt"] is not None
    first = link_in(inbox, 1)
    bad = api.data(SUBMIT, {"input": entry | {"hours": "1.125"}})["submitHours"]
    assert bad["field"] == "hours"
    again = api.post(RESEND, {"input": {"logId": logged["logId"]}}, **as_ana)
    assert again["data"]["resendVerificationLink"]["__typename"] == "HoursChanged"
    token = link_in(inbox, 2)
    assert token != first
    refused = api.post(READS, {"student": ana}, **as_ana)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # the log is not hers
    mine = api.post(OWN_HOURS, {"student": ana}, **as_ana)
    assert mine["data"]["student"]["hours"][0]["supervisorEmail"] == "dana@ardent.example"
    reads = api.post(READS, {"student": ana})  # the coordinator's read of both
    for response in (answered, again, mine, reads):  # whole answers, not only the fields asked
        text = json.dumps(response)
        assert first not in text
        assert token not in text
        assert token.partition(".")[2] not in text
    logged_events = [e["node"] for e in reads["data"]["events"]["edges"]]
    assert [e["type"] for e in logged_events] == [
        "HoursSubmitted",
        "VerificationLinkIssued",
        "VerificationLinkIssued",
    ]
    assert logged_events[2]["payload"]["sent_to"] == "dana@ardent.example"

    page = api.data(TO_VERIFY, {"token": token}, authorization=None)["hoursToVerify"]
    assert page == {
        "studentName": "Ana Lima",
        "programName": "Robotics Club",
        "workedOn": TODAY.isoformat(),
        "hours": "3.50",
        "activity": "Wired the arm",
    }
    for refused in (token + "x", first, "x" * 20):
        error = api.post(TO_VERIFY, {"token": refused}, authorization=None)["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
    superseded = {"token": first, "supervisorName": "Dana Ortiz", "verified": True}
    assert (
        api.data(VERIFY, {"input": superseded}, authorization=None)["verifyHours"]["rule"]
        == "LINK_SUPERSEDED"
    )

    answer = {"token": token, "supervisorName": "Dana Ortiz", "verified": True}
    verified = api.data(VERIFY, {"input": answer}, authorization=None)["verifyHours"]
    assert verified["status"] == "VERIFIED"
    assert "token" not in json.dumps(verified).lower()
    assert api.post(TO_VERIFY, {"token": token})["errors"][0]["message"].endswith(
        "the link cannot be used again"
    )
    replayed = api.data(VERIFY, {"input": answer})["verifyHours"]
    assert replayed["rule"] == "LINK_ALREADY_USED"
    not_mine = api.data(
        APPROVE, {"input": {"logId": logged["logId"]}}, authorization=api.tokens.student(ana)
    )
    assert not_mine["approveHours"]["__typename"] == "ForbiddenError"
    approved = api.data(APPROVE, {"input": {"logId": logged["logId"], "note": "Thanks"}})
    position = approved["approveHours"]["position"]

    view = api.data(VIEW, {"program": program, "student": ana, "at": position})
    assert view["program"]["hoursTotals"] == {
        "submitted": "3.50",
        "verified": "3.50",
        "approved": "3.50",
        "awaitingSupervisor": 0,
        "awaitingSchool": 0,
    }
    assert view["student"]["hours"] == [
        {"hours": "3.50", "status": "APPROVED", "supervisorName": "Dana Ortiz"}
    ]
