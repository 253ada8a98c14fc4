"""`history` on the Program, Partnership (`eventHistory`: its `history` is its status
transitions), Student, Mentor and Organization types: the events of the entity's own stream,
each with when, the verified actor, its reason, its correlation id and a readable line;
scoped and redacted as the `events` query is, paged by cursor, and only for log readers."""

from __future__ import annotations

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
SUSPEND = """mutation($input: ChangePartnershipStatusInput!) { suspendPartnership(input: $input) {
  __typename ... on PartnershipUpdated { position } } }"""
ENTRY = "cursor position type summary recordedAt actor reason correlationId redacted"
PAGE = f"nodes {{ {ENTRY} }} pageInfo {{ hasNextPage endCursor }}"
HISTORY = {
    kind: f"""query($id: ID!, $first: Int! = 50, $after: String) {{ {kind}(id: $id) {{
  {field}(first: $first, after: $after) {{ {PAGE} }} }} }}"""
    for kind, field in (
        ("program", "history"),
        ("partnership", "eventHistory"),
        ("student", "history"),
        ("mentor", "history"),
        ("organization", "history"),
    )
}
STREAM = """query($stream: String!) { events(first: 1000, streamId: $stream) {
  edges { cursor node { position type redacted metadata { actor correlationId } } } } }"""
PREFIX = {
    "program": "program",
    "partnership": "partnership",
    "student": "student",
    "mentor": "mentor",
    "organization": "organisation",
}


def history(api, kind, id_, who=None, **variables):
    body = api.post(HISTORY[kind], {"id": id_} | variables, authorization=who or api.staff)
    assert "errors" not in body, body["errors"]
    found = body["data"][kind]
    return found["eventHistory" if kind == "partnership" else "history"]


@pytest.fixture
def world(api):
    """School A and firm B in a partnership (then suspended, with a reason) running a
    program; Ana at A, her guardian's consent recorded, enrolled, with B's mentor."""
    a, b = org(api, "A", "SCHOOL")["id"], org(api, "B", "BUSINESS")["id"]
    p = api.data(PARTNERSHIP, {"input": {"name": "P", "organizationIds": [a, b]}})
    p = p["formPartnership"]["id"]
    x = api.data(PROGRAM, {"input": program_input(p)})["launchProgram"]["id"]
    kid = api.data(STUDENT_AT, {"name": "Ana Quill", "school": a})["registerStudent"]["id"]
    consent = {"studentId": kid, "guardianName": "Marisol Quill", "relationship": "mother"}
    api.data(CONSENT, {"input": consent | {"givenOn": TODAY.isoformat()}})
    api.data(ENROL, {"input": {"programId": x, "studentId": kid}})
    mo = api.data(MENTOR, {"org": b})["registerMentor"]["id"]
    clear(api, mo)
    api.data(ASSIGN, {"input": {"programId": x, "studentId": kid, "mentorId": mo}})
    suspended = api.data(SUSPEND, {"input": {"partnershipId": p, "reason": "Funding paused"}})
    assert suspended["suspendPartnership"]["__typename"] == "PartnershipUpdated", suspended
    return {
        "firm": b,
        "program": x,
        "partnership": p,
        "student": kid,
        "mentor": mo,
        "organization": a,
    }


def stream(api, kind, id_):
    edges = api.data(STREAM, {"stream": f"{PREFIX[kind]}-{id_}"})["events"]["edges"]
    return [(e["cursor"], e["node"]) for e in edges]


LINES = {
    "program": [
        "Program launched",
        "Enrolled in 'Robotics Club'",
        "Given a mentor in 'Robotics Club'",
    ],
    "partnership": ["Partnership formed", "Program added", "Partnership suspended"],
    "student": ["Registered as a student", "Guardian consent recorded (Marisol Quill, mother)"],
    "mentor": ["Mentor registered", "Clearance recorded", "Mentee taken"],
    "organization": ["Organisation registered"],
}


@pytest.mark.parametrize("kind", list(LINES))
def test_each_type_has_the_events_of_its_own_stream(api, world, kind):
    found = history(api, kind, world[kind])
    expected = stream(api, kind, world[kind])
    assert [n["summary"] for n in found["nodes"]] == LINES[kind]
    assert [(n["cursor"], n["position"], n["type"]) for n in found["nodes"]] == [
        (c, e["position"], e["type"]) for c, e in expected
    ]
    for node, (_, event) in zip(found["nodes"], expected, strict=True):
        assert node["actor"] == event["metadata"]["actor"] == "administrator:test-administrator"
        assert node["correlationId"] == event["metadata"]["correlationId"]
        assert node["recordedAt"]
    assert found["pageInfo"] == {"hasNextPage": False, "endCursor": expected[-1][0]}


def test_a_reason_recorded_is_shown(api, world):
    found = history(api, "partnership", world["partnership"])["nodes"]
    assert [(n["type"], n["reason"]) for n in found] == [
        ("PartnershipFormed", None),
        ("ProgramAdded", None),
        ("PartnershipSuspended", "Funding paused"),
    ]


def test_a_caller_not_granted_personal_data_gets_it_redacted(api, world):
    auditor = api.tokens.bearer(Role.AUDITOR)
    found = history(api, "student", world["student"], auditor)["nodes"]
    consent = next(n for n in found if n["type"] == "GuardianConsentRecorded")
    assert consent["summary"] == "Guardian consent recorded"
    assert "Marisol" not in str(found)
    # the same fields as the `events` query redacts for them
    as_events = api.data(STREAM, {"stream": f"student-{world['student']}"}, authorization=auditor)
    assert [e["node"]["redacted"] for e in as_events["events"]["edges"]] == [
        n["redacted"] for n in found
    ]
    assert consent["redacted"], consent
    granted = history(api, "student", world["student"])["nodes"]
    assert [n["redacted"] for n in granted] == [[] for _ in granted]


def test_only_log_readers_may_ask_and_each_sees_only_its_organisations_events(api, world):
    mine = frozenset({world["organization"]})
    liaison = api.tokens.bearer(Role.PARTNER_LIAISON, organisations=mine)
    body = api.post(HISTORY["program"], {"id": world["program"]}, authorization=liaison)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
    assert body["errors"][0]["path"] == ["program", "history"]
    assert body["data"]["program"]["history"] is None
    of_a = api.tokens.bearer(Role.COORDINATOR, organisations=mine)
    theirs = history(api, "student", world["student"], of_a)["nodes"]
    assert [n["type"] for n in theirs] == ["StudentRegistered", "GuardianConsentRecorded"]
    # B's records are B's: A's coordinator sees B and B's mentor, not their events, as in
    # the `events` query
    for kind, id_ in (("organization", world["firm"]), ("mentor", world["mentor"])):
        assert stream(api, kind, id_)
        assert history(api, kind, id_, of_a)["nodes"] == []
        as_events = api.data(STREAM, {"stream": f"{PREFIX[kind]}-{id_}"}, authorization=of_a)
        assert as_events["events"]["edges"] == []


def test_pages_follow_one_another_by_cursor(api, world):
    whole = history(api, "program", world["program"])["nodes"]
    seen, after = [], None
    while True:
        page = history(api, "program", world["program"], first=1, after=after)
        seen += page["nodes"]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert seen == whole
    last = history(api, "program", world["program"], first=1, after=after)
    assert last == {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": after}}


@pytest.mark.parametrize(
    ("variables", "argument"),
    [({"first": 0}, "first"), ({"first": 1001}, "first"), ({"after": "nonsense"}, "after")],
)
def test_a_bad_page_is_refused_naming_the_argument(api, world, variables, argument):
    body = api.post(HISTORY["mentor"], {"id": world["mentor"]} | variables)
    error = body["errors"][0]
    assert error["extensions"]["field"] == argument, error
    assert error["message"].startswith(argument), error
    assert body["data"]["mentor"]["history"] is None
