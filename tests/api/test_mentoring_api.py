"""Safeguarding over GraphQL: no match without a clear check, and checks about to lapse."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from support.api import ASSIGN, CLEARANCE, MENTOR, TODAY, a_program, clear, enrol, student

EXPIRING = """query($asOf: Date, $within: Int!, $at: Int) {
  clearancesExpiring(asOf: $asOf, withinDays: $within, atLeast: $at) {
    checkType result expiresOn current mentor { name } } }"""
MENTOR_CHECKS = """query($id: ID!, $at: Int, $all: Boolean!) { mentor(id: $id, atLeast: $at) {
  clearances(includeSuperseded: $all) { checkType result current } } }"""


def test_a_mentor_is_matched_only_once_cleared_and_lapsing_checks_are_listed(api):
    program, _, firm = a_program(api, capacity=2)
    kid = student(api, "Ana Lima")
    enrol(api, program, kid)
    mentor = api.data(MENTOR, {"org": firm})["registerMentor"]["id"]
    match = {"input": {"programId": program, "studentId": kid, "mentorId": mentor}}
    refused = api.data(ASSIGN, match)["assignMentor"]
    assert (refused["__typename"], refused["rule"]) == ("RuleViolationError", "CLEARANCE_MISSING")
    pending = clear(api, mentor, result="PENDING", completedOn=None, expiresOn=None)
    assert pending["__typename"] == "ClearanceRecorded"
    assert api.data(ASSIGN, match)["assignMentor"]["rule"] == "CLEARANCE_PENDING"
    clear(api, mentor, expiresOn=(TODAY + timedelta(days=10)).isoformat())
    assert api.data(ASSIGN, match)["assignMentor"]["__typename"] == "MentorAssigned"
    last = clear(
        api,
        mentor,
        checkType="Child protection training",
        expiresOn=(TODAY + timedelta(days=200)).isoformat(),
    )

    soon = api.data(EXPIRING, {"within": 30, "at": last["position"]})["clearancesExpiring"]
    assert soon == [
        {
            "checkType": "Enhanced background check",
            "result": "CLEAR",
            "expiresOn": (TODAY + timedelta(days=10)).isoformat(),
            "current": True,
            "mentor": {"name": "Dana Ortiz"},
        }
    ]
    later = (TODAY + timedelta(days=11)).isoformat()
    expired = api.data(EXPIRING, {"asOf": later, "within": 0})["clearancesExpiring"]
    assert [c["checkType"] for c in expired] == ["Enhanced background check"]
    checks = api.data(MENTOR_CHECKS, {"id": mentor, "all": False})["mentor"]["clearances"]
    assert {(c["checkType"], c["result"]) for c in checks} == {
        ("Enhanced background check", "CLEAR"),
        ("Child protection training", "CLEAR"),
    }
    history = api.data(MENTOR_CHECKS, {"id": mentor, "all": True})["mentor"]["clearances"]
    assert [c["result"] for c in history if not c["current"]] == ["PENDING"]


def test_bad_clearances_are_refused_by_name_and_append_nothing(api):
    _, _, firm = a_program(api)
    mentor = api.data(MENTOR, {"org": firm})["registerMentor"]["id"]
    before = api.event_count()
    cases = [
        ({"completedOn": None}, "field", "completedOn"),
        ({"expiresOn": (TODAY - timedelta(days=40)).isoformat()}, "field", "expiresOn"),
        ({"checkType": " "}, "field", "checkType"),
        ({"provider": "x" * 201}, "field", "provider"),
        ({"mentorId": firm}, "field", "mentorId"),
        (
            {"completedOn": (TODAY + timedelta(days=2)).isoformat(), "expiresOn": None},
            "rule",
            "CLEARANCE_IN_FUTURE",
        ),
    ]
    for changes, key, expected in cases:
        result = clear(api, mentor, **changes)
        assert result.get(key) == expected, (changes, result)
    bad_days = api.post(EXPIRING, {"within": 5000})
    assert bad_days["errors"][0]["extensions"]["argument"] == "withinDays"
    wrong = api.post(
        CLEARANCE,
        {"input": {"mentorId": mentor, "checkType": "x", "provider": "y", "result": "MAYBE"}},
    )
    assert "errors" in wrong
    assert api.event_count() == before


CLOSE = """mutation($input: CloseMentorMatchInput!) { closeMentorMatch(input: $input) {
  __typename ... on MentorMatchChanged { position } ... on RuleViolationError { rule }
  ... on ValidationError { field } } }"""
MEET = """mutation($input: LogMentorMeetingInput!) { logMentorMeeting(input: $input) {
  __typename ... on MentorMatchChanged { position } ... on ValidationError { field } } }"""
MATCHES = """query($id: ID!, $at: Int, $later: Date) {
  mentor(id: $id, atLeast: $at) {
    matches(includeClosed: true) { closureReason note meetings student { name } }
    load { capacity active closed closedEarly } }
  quietMentorMatches(asOf: $later, atLeast: $at) { student { name } } }"""


def test_a_match_ends_with_a_reason_and_a_quiet_one_is_flagged(api):
    program, _, firm = a_program(api, capacity=2)
    ana, bo = student(api, "Ana Lima"), student(api, "Bo Chen")
    mentor = api.data(MENTOR, {"org": firm})["registerMentor"]["id"]
    clear(api, mentor)
    for kid in (ana, bo):
        enrol(api, program, kid)
        api.data(ASSIGN, {"input": {"programId": program, "studentId": kid, "mentorId": mentor}})
    met = api.data(
        MEET,
        {
            "input": {
                "programId": program,
                "studentId": ana,
                "metOn": TODAY.isoformat(),
                "minutes": 30,
            }
        },
    )
    assert met["logMentorMeeting"]["__typename"] == "MentorMatchChanged"
    too_long = api.data(
        MEET,
        {
            "input": {
                "programId": program,
                "studentId": ana,
                "metOn": TODAY.isoformat(),
                "minutes": 601,
            }
        },
    )
    assert too_long["logMentorMeeting"]["field"] == "minutes"
    closing = {"programId": program, "studentId": bo, "reason": "SCHEDULE", "note": "Shifts"}
    closed = api.data(CLOSE, {"input": closing})["closeMentorMatch"]
    assert closed["__typename"] == "MentorMatchChanged"
    again = api.data(CLOSE, {"input": {"programId": program, "studentId": bo, "reason": "OTHER"}})
    assert again["closeMentorMatch"]["rule"] == "NO_MENTOR_MATCH"
    later = (TODAY + timedelta(days=31)).isoformat()
    view = api.data(MATCHES, {"id": mentor, "at": closed["position"], "later": later})
    assert [
        (mt["student"]["name"], mt["closureReason"], mt["meetings"])
        for mt in view["mentor"]["matches"]
    ] == [
        ("Ana Lima", None, 1),
        ("Bo Chen", "SCHEDULE", 0),
    ]
    assert view["mentor"]["load"] == {"capacity": 3, "active": 1, "closed": 1, "closedEarly": 1}
    assert view["quietMentorMatches"] == [{"student": {"name": "Ana Lima"}}]


ANSWER = """__typename ... on MentorMatchChanged { mentorId position }
  ... on RuleViolationError { rule } ... on ForbiddenError { message }
  ... on ValidationError { field }"""
PROPOSE = f"""mutation($input: ProposeMentorMatchInput!) {{ proposeMentorMatch(input: $input) {{
  {ANSWER} }} }}"""
CONFIRM = f"""mutation($input: ConfirmMentorMatchInput!) {{ confirmMentorMatch(input: $input) {{
  {ANSWER} }} }}"""
DECLINE = f"""mutation($input: DeclineMentorMatchInput!) {{ declineMentorMatch(input: $input) {{
  {ANSWER} }} }}"""
PROPOSALS = """query($program: ID!, $mentor: ID!, $at: Int) {
  program(id: $program, atLeast: $at) { mentorProposals { status reason student { name } }
    mentorMatches { student { name } } }
  mentor(id: $mentor, atLeast: $at) { proposals { status } all: proposals(includeAnswered: true) {
    status } } }"""


def test_a_proposed_match_waits_for_the_mentors_answer(api):
    program, _, firm = a_program(api, capacity=2)
    ana, bo = student(api, "Ana Lima"), student(api, "Bo Chen")
    for kid in (ana, bo):
        enrol(api, program, kid)
    mentor = api.data(MENTOR, {"org": firm})["registerMentor"]["id"]
    clear(api, mentor)
    for kid in (ana, bo):
        proposed = api.data(
            PROPOSE, {"input": {"programId": program, "studentId": kid, "mentorId": mentor}}
        )
        assert proposed["proposeMentorMatch"]["mentorId"] == mentor
    someone = api.data(
        CONFIRM,
        {"input": {"programId": program, "studentId": ana}},
        authorization=api.tokens.mentor(uuid4()),
    )["confirmMentorMatch"]
    assert someone["__typename"] == "ForbiddenError"
    confirmed = api.data(
        CONFIRM,
        {"input": {"programId": program, "studentId": ana}},
        authorization=api.tokens.mentor(mentor),
    )["confirmMentorMatch"]
    assert confirmed["__typename"] == "MentorMatchChanged"
    blank = api.data(DECLINE, {"input": {"programId": program, "studentId": bo, "reason": ""}})
    assert blank["declineMentorMatch"]["field"] == "reason"
    declined = api.data(
        DECLINE, {"input": {"programId": program, "studentId": bo, "reason": "No evenings free"}}
    )
    at = declined["declineMentorMatch"]["position"]
    view = api.data(PROPOSALS, {"program": program, "mentor": mentor, "at": at})
    assert view["program"]["mentorProposals"] == [
        {"status": "CONFIRMED", "reason": "", "student": {"name": "Ana Lima"}},
        {"status": "DECLINED", "reason": "No evenings free", "student": {"name": "Bo Chen"}},
    ]
    assert view["program"]["mentorMatches"] == [{"student": {"name": "Ana Lima"}}]
    assert view["mentor"] == {
        "proposals": [],
        "all": [{"status": "CONFIRMED"}, {"status": "DECLINED"}],
    }
