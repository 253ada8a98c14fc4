"""Organisation scoping over GraphQL: staff of one organisation read and change only what
is theirs, through root fields and nested relations alike; students and mentors see
themselves and whom they know by taking part; the log is filtered by the same scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bridgework.graphql.schema import schema
from bridgework.services.identity import Role
from strawberry.utils.str_converters import to_camel_case
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

STUDENT = """query($id: ID!) { student(id: $id) { id name dateOfBirth
  enrollments { status program { id name } } } }"""
PROGRAM_VIEW = """query($id: ID!) { program(id: $id) { id name
  partnership { id } enrollment { entries { status student { id name } } }
  mentorMatches { mentor { id name } student { id name } } } }"""
PROGRAMS = "{ programs(first: 50) { edges { node { id } } } }"
PARTNERSHIP_VIEW = "query($id: ID!) { partnership(id: $id) { id programs { id } } }"
MENTOR_VIEW = "query($id: ID!) { mentor(id: $id) { id name matches { student { id name } } } }"
CREATE_KEY = """mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
  __typename } }"""
EVENTS = "{ events(first: 1000) { edges { node { streamId type } } } }"


def run(api, query, variables=None, who=None):
    return api.post(query, variables or {}, authorization=who)


@pytest.fixture
def world(api):
    """Schools A and C; A runs program X with business B, C runs Y with business D. Ana (at
    A) is in X with Mo, B's mentor; Cai (at C) is in Y."""
    a, b = org(api, "A", "SCHOOL")["id"], org(api, "B", "BUSINESS")["id"]
    c, d = org(api, "C", "SCHOOL")["id"], org(api, "D", "BUSINESS")["id"]

    def program(*orgs):
        formed = api.data(PARTNERSHIP, {"input": {"name": "P", "organizationIds": list(orgs)}})
        partnership = formed["formPartnership"]["id"]
        launched = api.data(PROGRAM, {"input": program_input(partnership)})
        return partnership, launched["launchProgram"]["id"]

    (p1, x), (p2, y) = program(a, b), program(c, d)
    ana = api.data(STUDENT_AT, {"name": "Ana Quill", "school": a})["registerStudent"]["id"]
    cai = api.data(STUDENT_AT, {"name": "Cai Rowan", "school": c})["registerStudent"]["id"]
    for kid, where in ((ana, x), (cai, y)):
        enrolled = api.data(ENROL, {"input": {"programId": where, "studentId": kid}})
        assert enrolled["enrollStudent"]["status"] == "ENROLLED", enrolled
    mo = api.data(MENTOR, {"org": b})["registerMentor"]["id"]
    clear(api, mo)
    matched = api.data(ASSIGN, {"input": {"programId": x, "studentId": ana, "mentorId": mo}})
    assert matched["assignMentor"]["__typename"] == "MentorAssigned", matched
    caught_up = "query($id: ID!, $at: Int) { program(id: $id, atLeast: $at) { id } }"
    api.data(caught_up, {"id": x, "at": matched["assignMentor"]["position"]})
    staff = {o: api.tokens.bearer(Role.COORDINATOR, organisations=frozenset({o})) for o in (a, b)}
    return locals() | {"of_a": staff[a], "of_b": staff[b]}


def test_a_schools_coordinator_reads_only_its_students_and_programs(api, world):
    w = world
    mine = run(api, STUDENT, {"id": w["ana"]}, w["of_a"])["data"]["student"]
    assert mine["name"] == "Ana Quill"
    assert [e["program"]["id"] for e in mine["enrollments"]] == [w["x"]]
    assert run(api, STUDENT, {"id": w["cai"]}, w["of_a"])["data"]["student"] is None
    program = run(api, PROGRAM_VIEW, {"id": w["x"]}, w["of_a"])["data"]["program"]
    assert [e["student"]["name"] for e in program["enrollment"]["entries"]] == ["Ana Quill"]
    assert program["mentorMatches"][0]["mentor"]["name"] == "Dana Ortiz"  # a partner's mentor
    assert run(api, PROGRAM_VIEW, {"id": w["y"]}, w["of_a"])["data"]["program"] is None
    listed = run(api, PROGRAMS, who=w["of_a"])["data"]["programs"]["edges"]
    assert [e["node"]["id"] for e in listed] == [w["x"]]
    assert run(api, PARTNERSHIP_VIEW, {"id": w["p2"]}, w["of_a"])["data"]["partnership"] is None
    assert run(api, PARTNERSHIP_VIEW, {"id": w["p1"]}, w["of_a"])["data"]["partnership"]


def test_a_partner_sees_the_program_but_not_the_schools_students(api, world):
    w = world
    program = run(api, PROGRAM_VIEW, {"id": w["x"]}, w["of_b"])["data"]["program"]
    assert program["name"] == "Robotics Club"
    assert [e["status"] for e in program["enrollment"]["entries"]] == ["ENROLLED"]
    assert [e["student"] for e in program["enrollment"]["entries"]] == [None]
    assert program["mentorMatches"] == [
        {"mentor": {"id": w["mo"], "name": "Dana Ortiz"}, "student": None}
    ]
    assert run(api, STUDENT, {"id": w["ana"]}, w["of_b"])["data"]["student"] is None


def test_staff_of_another_organisation_may_not_act_for_it(api, world):
    w = world
    refused = run(api, ENROL, {"input": {"programId": w["x"], "studentId": w["cai"]}}, w["of_a"])
    assert refused["data"]["enrollStudent"]["__typename"] == "ForbiddenError"
    elsewhere = run(api, ENROL, {"input": {"programId": w["y"], "studentId": w["ana"]}}, w["of_a"])
    assert elsewhere["data"]["enrollStudent"]["__typename"] == "ForbiddenError"
    at_c = run(api, STUDENT_AT, {"name": "Bo", "school": w["c"]}, w["of_a"])
    assert at_c["data"]["registerStudent"]["__typename"] == "ForbiddenError"
    view = run(api, PROGRAM_VIEW, {"id": w["y"]}, api.staff)["data"]["program"]
    assert [e["student"]["id"] for e in view["enrollment"]["entries"]] == [w["cai"]]  # unchanged


def test_students_and_mentors_see_themselves_and_whom_they_know(api, world):
    w = world
    ana = api.tokens.student(w["ana"])
    mine = run(api, STUDENT, {"id": w["ana"]}, ana)["data"]["student"]
    assert mine["enrollments"][0]["program"] == {"id": w["x"], "name": "Robotics Club"}
    other = run(api, STUDENT, {"id": w["cai"]}, ana)
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    mo = api.tokens.mentor(w["mo"])
    mentor = run(api, MENTOR_VIEW, {"id": w["mo"]}, mo)["data"]["mentor"]
    assert mentor["matches"] == [{"student": {"id": w["ana"], "name": "Ana Quill"}}]


def test_the_log_is_filtered_by_the_organisations_recorded_on_each_event(api, world):
    w = world

    def streams(who):
        return {e["node"]["streamId"] for e in run(api, EVENTS, who=who)["data"]["events"]["edges"]}

    of_a = streams(w["of_a"])
    assert {f"student-{w['ana']}", f"program-{w['x']}", f"partnership-{w['p1']}"} <= of_a
    assert not of_a & {f"student-{w['cai']}", f"program-{w['y']}", f"partnership-{w['p2']}"}
    assert f"mentor-{w['mo']}" not in of_a  # B's own record
    of_b = streams(w["of_b"])
    assert f"mentor-{w['mo']}" in of_b
    assert f"student-{w['ana']}" not in of_b
    everything = streams(api.tokens.bearer(Role.AUDITOR))
    assert of_a | of_b < everything
    nobody = api.tokens.bearer(Role.COORDINATOR)  # of no organisation
    assert streams(nobody) == set()


def test_every_root_query_field_gives_another_organisation_nothing(api, world):
    """Every root Query field, asked by a coordinator of school A about school C and its
    partner D (whose mentor has a check on record and a quiet match in Y): null, empty, or
    only A's own. A new root field fails here until it says what A gets."""
    w = world
    dee = api.data(MENTOR, {"org": w["d"]})["registerMentor"]["id"]
    clear(api, dee, expiresOn=(TODAY + timedelta(days=5)).isoformat())
    matched = api.data(
        ASSIGN, {"input": {"programId": w["y"], "studentId": w["cai"], "mentorId": dee}}
    )
    assert matched["assignMentor"]["__typename"] == "MentorAssigned", matched
    at = matched["assignMentor"]["position"]
    period = f'startsOn: "{TODAY.replace(month=1, day=1)}", endsOn: "{TODAY}"'
    theirs = {"name": "C's SIS", "organizationIds": [w["c"]]}
    made = api.data(CREATE_KEY, {"input": theirs})["createApiKey"]
    assert made["__typename"] == "ApiKeyCreated", made
    asked = {
        "apiKeys": ("{ apiKeys { id } }", []),
        "asOf": (
            f'{{ asOf(position: {at}) {{ program(id: "{w["y"]}") {{ id }} }} }}',
            {"program": None},
        ),
        "clearancesExpiring": (f"{{ clearancesExpiring(atLeast: {at}) {{ mentorId }} }}", []),
        "events": (EVENTS, "scoped"),
        "impactReport": (
            f'{{ impactReport(partnershipId: "{w["p2"]}", {period}) {{ __typename }} }}',
            None,
        ),
        "mentor": (f'{{ mentor(id: "{dee}") {{ id }} }}', None),
        "organization": (f'{{ organization(id: "{w["c"]}") {{ id }} }}', None),
        "partnership": (f'{{ partnership(id: "{w["p2"]}") {{ id }} }}', None),
        "program": (f'{{ program(id: "{w["y"]}") {{ id }} }}', None),
        "programs": (PROGRAMS, {"edges": [{"node": {"id": w["x"]}}]}),
        "quietMentorMatches": (
            (
                f'{{ quietMentorMatches(atLeast: {at}, asOf: "{TODAY + timedelta(days=9)}",'
                " days: 1) { mentor { id } } }"
            ),
            [{"mentor": {"id": w["mo"]}}],  # A's own program's match only
        ),
        "student": (f'{{ student(id: "{w["cai"]}") {{ id }} }}', None),
        "webhookEndpoints": ("{ webhookEndpoints { id } }", []),
    }
    link_only = {"hoursToVerify"}  # a supervisor's link token is its own scope
    # The whole log's checkpoints and proofs: auditors' and administrators' only.
    auditors_only = {
        "logCheckpoint": "{ logCheckpoint { size } }",
        "eventInclusionProof": f'{{ eventInclusionProof(eventId: "{w["c"]}") {{ leafIndex }} }}',
    }
    fields = {
        f.graphql_name or to_camel_case(f.python_name)
        for f in schema.query.__strawberry_definition__.fields
    }
    assert set(asked) == fields - link_only - set(auditors_only)
    for field, query in auditors_only.items():
        refused = run(api, query, who=w["of_a"])
        assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"], field
    for field, (query, expected) in asked.items():
        body = run(api, query, who=w["of_a"])
        assert "errors" not in body, (field, body)
        got = body["data"][field]
        if expected == "scoped":
            streams = {e["node"]["streamId"] for e in got["edges"]}
            assert not streams & {f"mentor-{dee}", f"program-{w['y']}", f"student-{w['cai']}"}
        else:
            assert got == expected, field
    # …while the deployment's own staff see C's and D's records.
    assert run(api, asked["mentor"][0], who=api.staff)["data"]["mentor"] == {"id": dee}
    for everything in ("apiKeys", "clearancesExpiring", "quietMentorMatches"):
        assert run(api, asked[everything][0], who=api.staff)["data"][everything], everything
