"""Safeguarding over GraphQL: no match without a clear check, and checks about to lapse."""

from __future__ import annotations

from datetime import timedelta

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
    last = clear(api, mentor, checkType="Child protection training",
                 expiresOn=(TODAY + timedelta(days=200)).isoformat())  # fmt: skip

    soon = api.data(EXPIRING, {"within": 30, "at": last["position"]})["clearancesExpiring"]
    assert soon == [{
        "checkType": "Enhanced background check", "result": "CLEAR",
        "expiresOn": (TODAY + timedelta(days=10)).isoformat(), "current": True,
        "mentor": {"name": "Dana Ortiz"},
    }]  # fmt: skip
    later = (TODAY + timedelta(days=11)).isoformat()
    expired = api.data(EXPIRING, {"asOf": later, "within": 0})["clearancesExpiring"]
    assert [c["checkType"] for c in expired] == ["Enhanced background check"]
    checks = api.data(MENTOR_CHECKS, {"id": mentor, "all": False})["mentor"]["clearances"]
    assert {(c["checkType"], c["result"]) for c in checks} == {
        ("Enhanced background check", "CLEAR"), ("Child protection training", "CLEAR"),
    }  # fmt: skip
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
        ({"completedOn": (TODAY + timedelta(days=2)).isoformat(), "expiresOn": None},
         "rule", "CLEARANCE_IN_FUTURE"),
    ]  # fmt: skip
    for changes, key, expected in cases:
        result = clear(api, mentor, **changes)
        assert result.get(key) == expected, (changes, result)
    bad_days = api.post(EXPIRING, {"within": 5000})
    assert bad_days["errors"][0]["extensions"]["argument"] == "withinDays"
    wrong = api.post(CLEARANCE, {"input": {"mentorId": mentor, "checkType": "x",
                                           "provider": "y", "result": "MAYBE"}})  # fmt: skip
    assert "errors" in wrong
    assert api.event_count() == before
