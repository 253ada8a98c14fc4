"""Consent and eligibility over GraphQL."""

from __future__ import annotations

from datetime import timedelta

from support.api import ENROL, TODAY, a_program, enrol, student

MINOR = """mutation($born: Date) {
  registerStudent(input: {name: "Ana Lima", grade: 9, dateOfBirth: $born}) {
    ... on StudentRegistered { id } } }"""
CONSENT = """mutation($input: RecordGuardianConsentInput!) { recordGuardianConsent(input: $input) {
  __typename ... on ConsentRecorded { id position } ... on ValidationError { field }
  ... on NotFoundError { field } ... on RuleViolationError { rule } } }"""
WITHDRAW_CONSENT = """mutation($input: WithdrawGuardianConsentInput!) {
  withdrawGuardianConsent(input: $input) {
    __typename ... on ConsentWithdrawn { message position } ... on RuleViolationError { rule }
} }"""
RULES = """mutation($input: SetEligibilityInput!) { setEligibility(input: $input) {
  __typename ... on EligibilitySet { position } ... on ValidationError { field }
  ... on NotFoundError { field } } }"""
VIEW = """query($s: ID!, $p: ID!, $at: Int) {
  student(id: $s, atLeast: $at) { dateOfBirth
    consents { guardianName relationship withdrawnReason program { name } }
    enrollments { status } }
  program(id: $p, atLeast: $at) {
    eligibility { minGrade maxGrade minAge maxAge prerequisites { name } } }
}"""


def test_a_minor_joins_with_a_guardians_consent_until_it_is_withdrawn(api):
    program = a_program(api, capacity=3)[0]
    born = (TODAY - timedelta(days=365 * 14 + 30)).isoformat()
    ana = api.data(MINOR, {"born": born})["registerStudent"]["id"]
    join = {"input": {"programId": program, "studentId": ana}}
    refused = api.data(ENROL, join)["enrollStudent"]
    assert (refused["__typename"], refused["rule"]) == ("RuleViolationError", "CONSENT_MISSING")
    given = api.data(
        CONSENT,
        {
            "input": {
                "studentId": ana,
                "programId": program,
                "guardianName": "Rosa Lima",
                "relationship": "mother",
                "givenOn": TODAY.isoformat(),
            }
        },
    )["recordGuardianConsent"]
    assert given["__typename"] == "ConsentRecorded"
    assert api.data(ENROL, join)["enrollStudent"]["status"] == "ENROLLED"
    rules = api.data(RULES, {"input": {"programId": program, "minGrade": 6, "maxGrade": 9}})
    assert rules["setEligibility"]["__typename"] == "EligibilitySet"
    gone = api.data(
        WITHDRAW_CONSENT,
        {
            "input": {
                "studentId": ana,
                "consentId": given["id"],
                "reason": "Changed schools",
            }
        },
    )["withdrawGuardianConsent"]
    assert gone["message"] == "1 program(s) left"

    view = api.data(VIEW, {"s": ana, "p": program, "at": gone["position"]})
    student = view["student"]
    assert student["dateOfBirth"] == born
    assert student["consents"] == [
        {
            "guardianName": "Rosa Lima",
            "relationship": "mother",
            "withdrawnReason": "Changed schools",
            "program": {"name": "Robotics Club"},
        }
    ]
    assert student["enrollments"] == [{"status": "WITHDRAWN"}]
    assert view["program"]["eligibility"] == {
        "minGrade": 6,
        "maxGrade": 9,
        "minAge": None,
        "maxAge": None,
        "prerequisites": [],
    }


def test_bad_consent_and_rules_are_refused_by_name_and_append_nothing(api):
    program, school, _ = a_program(api)
    ana = api.data(MINOR, {"born": None})["registerStudent"]["id"]
    before = api.event_count()
    consent = {
        "studentId": ana,
        "guardianName": "Rosa",
        "relationship": "mother",
        "givenOn": TODAY.isoformat(),
    }
    cases = [
        (CONSENT, "recordGuardianConsent", consent | {"studentId": school}, "field", "studentId"),
        (CONSENT, "recordGuardianConsent", consent | {"programId": school}, "field", "programId"),
        (CONSENT, "recordGuardianConsent", consent | {"relationship": ""}, "field", "relationship"),
        (
            CONSENT,
            "recordGuardianConsent",
            consent | {"givenOn": (TODAY + timedelta(days=5)).isoformat()},
            "rule",
            "CONSENT_IN_FUTURE",
        ),
        (RULES, "setEligibility", {"programId": program, "minGrade": 13}, "field", "minGrade"),
        (
            RULES,
            "setEligibility",
            {"programId": program, "prerequisiteIds": [school]},
            "field",
            "prerequisiteIds[0]",
        ),
        (
            WITHDRAW_CONSENT,
            "withdrawGuardianConsent",
            {"studentId": ana, "consentId": school, "reason": "x"},
            "rule",
            "NO_SUCH_CONSENT",
        ),
    ]
    for query, mutation, data, key, expected in cases:
        result = api.data(query, {"input": data})[mutation]
        assert result.get(key) == expected, (mutation, data, result)
    assert api.event_count() == before


TIMELINE = """query($s: ID!, $first: Int!, $after: String, $at: Int) {
  student(id: $s, atLeast: $at) { timeline(first: $first, after: $after) {
    edges { node { eventType summary program { name } } }
    pageInfo { endCursor hasNextPage } } } }"""


def test_a_students_timeline_pages_through_what_happened(api):
    program = a_program(api, capacity=3)[0]
    kid = student(api, "Ana Lima")
    done = enrol(api, program, kid)
    first = api.data(TIMELINE, {"s": kid, "first": 1, "at": done["position"]})
    page = first["student"]["timeline"]
    assert [e["node"] for e in page["edges"]] == [
        {"eventType": "StudentRegistered", "summary": "Registered as a student", "program": None}
    ]
    assert page["pageInfo"]["hasNextPage"] is True
    after = page["pageInfo"]["endCursor"]
    rest = api.data(TIMELINE, {"s": kid, "first": 10, "after": after})["student"]["timeline"]
    assert [e["node"] for e in rest["edges"]] == [
        {
            "eventType": "StudentEnrolled",
            "summary": "Enrolled in 'Robotics Club'",
            "program": {"name": "Robotics Club"},
        }
    ]
    assert rest["pageInfo"]["hasNextPage"] is False
    for bad in ({"first": 0}, {"first": 5, "after": "bm90LWEtY3Vyc29y"}):
        body = api.post(TIMELINE, {"s": kid, "first": 5} | bad)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
