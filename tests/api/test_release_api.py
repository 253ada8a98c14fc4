"""Release by role: each caller gets exactly the personal fields it may see. A student's
date of birth and guardians go to the student and their school's staff (and to a caller
granted personal data); the log redacts every personal field unless the caller is
granted, and raw self-reported demographics always."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from bridgework.services.identity import Role
from support.api import (
    ASSIGN,
    ENROL,
    MENTOR,
    PARTNERSHIP,
    PROGRAM,
    STUDENT_AT,
    TODAY,
    clear,
    org,
    program_input,
)

CONSENT = """mutation($input: RecordGuardianConsentInput!) { recordGuardianConsent(input: $input) {
  __typename ... on ConsentRecorded { position } } }"""
DEMOGRAPHICS = """mutation($input: ReportDemographicsInput!) { reportDemographics(input: $input) {
  __typename ... on DemographicsReported { position } } }"""
STUDENT = """query($id: ID!, $at: Int) { student(id: $id, atLeast: $at) {
  name dateOfBirth consents { guardianName relationship } } }"""
EVENTS = """query($types: [String!]) { events(first: 100, types: $types) {
  edges { node { type payload redacted } } } }"""


@pytest.fixture
def ana(api):
    """Ana, at school A, in A and B's program with B's mentor; her guardian consented and
    she reported her demographics."""
    a, b = org(api, "A", "SCHOOL")["id"], org(api, "B", "BUSINESS")["id"]
    formed = api.data(PARTNERSHIP, {"input": {"name": "P", "organizationIds": [a, b]}})
    program = api.data(PROGRAM, {"input": program_input(formed["formPartnership"]["id"])})
    x = program["launchProgram"]["id"]
    kid = api.data(STUDENT_AT, {"name": "Ana Quill", "school": a})["registerStudent"]["id"]
    consent = {"studentId": kid, "guardianName": "Marisol Quill", "relationship": "mother"}
    given = api.data(CONSENT, {"input": consent | {"givenOn": TODAY.isoformat()}})
    assert given["recordGuardianConsent"]["__typename"] == "ConsentRecorded", given
    assert api.data(ENROL, {"input": {"programId": x, "studentId": kid}})["enrollStudent"]
    answers = [{"field": "GENDER", "value": "nonbinary"}]
    reported = api.data(
        DEMOGRAPHICS,
        {"input": {"studentId": kid, "answers": answers}},
        authorization=api.tokens.student(kid),
    )["reportDemographics"]
    assert reported["__typename"] == "DemographicsReported", reported
    mo = api.data(MENTOR, {"org": b})["registerMentor"]["id"]
    clear(api, mo)
    matched = api.data(ASSIGN, {"input": {"programId": x, "studentId": kid, "mentorId": mo}})
    at = matched["assignMentor"]["position"]
    api.data(STUDENT, {"id": kid, "at": at})  # the views have it all
    return {"id": kid, "a": UUID(a), "b": UUID(b), "mentor": mo}


FULL = {
    "name": "Ana Quill",
    "dateOfBirth": "2007-01-15",
    "consents": [{"guardianName": "Marisol Quill", "relationship": "mother"}],
}
NO_PERSONAL = FULL | {"dateOfBirth": None, "consents": []}


def callers(api, ana):
    tokens = api.tokens
    return {
        "administrator": (tokens.bearer(Role.ADMINISTRATOR), NO_PERSONAL),
        "auditor": (tokens.bearer(Role.AUDITOR), NO_PERSONAL),
        "granted auditor": (tokens.bearer(Role.AUDITOR, personal_data=True), FULL),
        "her school's coordinator": (
            tokens.bearer(Role.COORDINATOR, organisations=frozenset({ana["a"]})),
            FULL,
        ),
        "the partner's coordinator": (
            tokens.bearer(Role.COORDINATOR, organisations=frozenset({ana["b"]})),
            None,
        ),
        "Ana": (tokens.student(ana["id"]), FULL),
    }


MATCHES = """query($id: ID!) { mentor(id: $id) { matches { student {
  name dateOfBirth consents { guardianName relationship } } } } }"""


def test_each_role_gets_exactly_the_students_personal_fields_it_may_see(api, ana):
    for who, (token, expected) in callers(api, ana).items():
        body = api.post(STUDENT, {"id": ana["id"]}, authorization=token)
        assert "errors" not in body, (who, body)
        assert body["data"]["student"] == expected, who
    for someone in (api.tokens.student(uuid4()), api.tokens.mentor(ana["mentor"])):
        refused = api.post(STUDENT, {"id": ana["id"]}, authorization=someone)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    timeline = (
        """query($id: ID!) { student(id: $id) { timeline { edges { node { summary } } } } }"""
    )
    lines = {
        who: [
            e["node"]["summary"]
            for e in api.data(timeline, {"id": ana["id"]}, authorization=t)["student"]["timeline"][
                "edges"
            ]
        ]
        for who, (t, _) in callers(api, ana).items()
        if who in {"auditor", "Ana"}
    }
    assert "Guardian consent recorded (Marisol Quill, mother)" in lines["Ana"]
    assert "Guardian consent recorded" in lines["auditor"]
    assert "Marisol" not in str(lines["auditor"])
    # Her mentor knows her through their match: her name, not her birthday or guardians.
    mine = api.data(MATCHES, {"id": ana["mentor"]}, authorization=api.tokens.mentor(ana["mentor"]))
    assert mine["mentor"]["matches"] == [{"student": NO_PERSONAL}]


def events(api, token):
    body = api.data(EVENTS, {"types": None}, authorization=token)
    return {e["node"]["type"]: e["node"] for e in body["events"]["edges"]}


def test_the_log_redacts_personal_fields_unless_granted_and_demographics_always(api, ana):
    plain = events(api, api.tokens.bearer(Role.AUDITOR))
    registered = plain["StudentRegistered"]
    assert sorted(registered["redacted"]) == ["date_of_birth", "name"]
    assert registered["payload"]["name"] is None
    assert registered["payload"]["date_of_birth"] is None
    assert registered["payload"]["grade"] == 12  # not personal: kept
    assert sorted(plain["GuardianConsentRecorded"]["redacted"]) == ["guardian_name", "relationship"]
    assert plain["OrganisationRegistered"]["redacted"] == []
    granted = events(api, api.tokens.bearer(Role.AUDITOR, personal_data=True))
    assert granted["StudentRegistered"]["payload"]["name"] == "Ana Quill"
    assert granted["StudentRegistered"]["redacted"] == []
    assert granted["GuardianConsentRecorded"]["payload"]["guardian_name"] == "Marisol Quill"
    for seen in (plain, granted):  # the student's own words: to no one through the log
        assert seen["DemographicsReported"]["redacted"] == ["answers"]
        assert seen["DemographicsReported"]["payload"]["answers"] is None
    text = str(plain)
    for value in ("Ana Quill", "2007-01-15", "Marisol", "nonbinary"):
        assert value not in text, value
    school = api.tokens.bearer(Role.COORDINATOR, organisations=frozenset({ana["a"]}))
    assert events(api, school)["StudentRegistered"]["payload"]["name"] is None  # not granted


def test_an_integration_key_is_granted_personal_data_only_when_created_so(api, ana):
    school = api.tokens.bearer(Role.COORDINATOR, organisations=frozenset({ana["a"]}))
    create = """mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
      ... on ApiKeyCreated { key apiKey { personalData } } } }"""
    keys = {}
    for granted in (False, True):
        given = {"name": f"SIS {granted}", "organizationIds": [str(ana["a"])]}
        made = api.data(create, {"input": given | {"personalData": granted}}, authorization=school)
        assert made["createApiKey"]["apiKey"]["personalData"] is granted
        keys[granted] = f"Bearer {made['createApiKey']['key']}"
    names = {g: events(api, k)["StudentRegistered"]["payload"]["name"] for g, k in keys.items()}
    assert names == {False: None, True: "Ana Quill"}
