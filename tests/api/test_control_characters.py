"""No control character gets into the log: every string input is checked at the edge, and a
refusal names the field (in a mutation's payload, or as BAD_USER_INPUT for a query's or a
subscription's argument and a header) and appends nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from support.api import ORG, PARTNERSHIP, TODAY, a_program, enrol, org, student

VALIDATION = "... on ValidationError { field message problems { field message } }"
CHECK_IN = f"""mutation($input: RecordCheckInInput!) {{ recordCheckIn(input: $input) {{
  __typename {VALIDATION} }} }}"""
WITHDRAW = f"""mutation($input: WithdrawStudentInput!) {{ withdrawStudent(input: $input) {{
  __typename ... on StudentWithdrawn {{ position }} {VALIDATION} }} }}"""
EVENTS = """query($stream: String, $types: [String!]) {
  events(streamId: $stream, types: $types) { edges { node { type } } } }"""
REASONS = """query($id: ID!, $at: Int) { program(id: $id, atLeast: $at) {
  enrollment { entries { status reason } } } }"""


def post_escaped(api, query, variables):
    """POST with every non-ASCII character escaped: the only way to send a lone surrogate."""
    body = json.dumps({"query": query, "variables": variables})  # ensure_ascii: `\ud800`
    response = api.client.post(
        "/graphql", content=body, headers=api.headers(content_type="application/json")
    )
    assert response.status_code == 200, response.text
    return response.json()


def refused_field(api, query, variables):
    """The field a mutation's ValidationError names, checking its message names it too."""
    [payload] = api.data(query, variables).values()
    assert payload["__typename"] == "ValidationError", payload
    assert payload["field"] in payload["message"]
    return payload["field"]


def bad_argument(body):
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return error["extensions"]["field"], error["message"]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Lincoln\u0000Middle", "U+0000"),
        ("Lincoln\x1bMiddle", "U+001B"),
        ("Lincoln\x7f", "U+007F"),
        ("Lincoln\x85", "U+0085"),
        ("Lincoln\ud800", "U+D800"),
        ("Lincoln\tMiddle", "single line"),
        ("Lincoln\nMiddle", "single line"),
    ],
)
def test_a_control_character_in_a_name_is_refused_naming_it_and_appends_nothing(api, name, problem):
    org(api)
    before = api.event_count()
    body = post_escaped(api, ORG, {"name": name, "kind": "SCHOOL"})
    result = body["data"]["registerOrganization"]
    assert (result["__typename"], result["field"]) == ("ValidationError", "name")
    assert problem in result["message"]
    assert api.event_count() == before


def test_a_list_item_a_nested_field_and_an_idempotency_key_are_named(api):
    school, firm = org(api)["id"], org(api, "Ardent", "BUSINESS")["id"]
    before = api.event_count()
    partnership = {
        "name": "Robotics",
        "organizationIds": [school, firm],
        "goals": ["Robots", "Every\u0000student"],
    }
    assert refused_field(api, PARTNERSHIP, {"input": partnership}) == "goals[1]"
    keyed = {"name": "Robotics", "organizationIds": [school, firm], "idempotencyKey": "k\x00"}
    assert refused_field(api, PARTNERSHIP, {"input": keyed}) == "idempotencyKey"
    formed = api.data(PARTNERSHIP, {"input": {"name": "R", "organizationIds": [school, firm]}})
    check_in = {
        "partnershipId": formed["formPartnership"]["id"],
        "heldOn": (TODAY - timedelta(days=1)).isoformat(),
        "attendees": ["Ana"],
        "followUps": [
            {"action": "Book the lab", "owner": "Ana"},
            {"action": "Order\u0007parts", "owner": "Sam"},
        ],
    }
    assert refused_field(api, CHECK_IN, {"input": check_in}) == "followUps[1].action"
    assert api.event_count() == before + 1  # only the partnership that was fine


def test_tabs_and_line_breaks_are_kept_in_a_reason_but_a_nul_is_not(api):
    program, _, _ = a_program(api, capacity=2)
    ana, bo = student(api, "Ana Lima"), student(api, "Bo Chen")
    enrol(api, program, ana)
    enrol(api, program, bo)
    reason = "Moved to another district.\n\tNew school:\r\nRidgeview High"
    done = api.data(
        WITHDRAW, {"input": {"programId": program, "studentId": ana, "reason": reason}}
    )["withdrawStudent"]
    assert done["__typename"] == "StudentWithdrawn", done
    before = api.event_count()
    bad = {"programId": program, "studentId": bo, "reason": "Moved\u0000away"}
    assert refused_field(api, WITHDRAW, {"input": bad}) == "reason"
    assert api.event_count() == before
    entries = api.data(REASONS, {"id": program, "at": done["position"]})["program"]
    assert {"status": "WITHDRAWN", "reason": reason} in entries["enrollment"]["entries"]


def test_query_arguments_with_control_characters_are_bad_user_input_naming_them(api):
    org(api)
    assert bad_argument(api.post(EVENTS, {"stream": "org\u0000"}))[0] == "streamId"
    field, message = bad_argument(post_escaped(api, EVENTS, {"types": ["A", "B\ud800"]}))
    assert (field, message) == (
        "types[1]",
        "types[1] must not contain control characters (U+D800 at character 2)",
    )
    literal = api.post('{ events(streamId: "a\\tb") { edges { cursor } } }')
    assert bad_argument(literal)[0] == "streamId"
    token = api.post('query($t: String! = "x\\u0001") { hoursToVerify(token: $t) { hours } }')
    assert bad_argument(token)[0] == "token"
    assert api.event_count() == 1


def test_a_subscription_argument_with_a_control_character_is_refused(api):
    org(api)
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json(api.init())
        assert ws.receive_json(timeout=10)["type"] == "connection_ack"
        ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {
                    "query": "subscription($t: [String!]) { events(types: $t) { position } }",
                    "variables": {"t": ["OrganisationRegistered\u0000"]},
                },
            }
        )
        message = ws.receive_json(timeout=10)
    assert message["type"] == "next", message
    [error] = message["payload"]["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "types[0]"}


@pytest.mark.parametrize("value", ["checkout\x00", "check\tout", b"checkout\x85"])
def test_a_header_with_a_control_character_is_refused(api, value):
    body = api.post(ORG, {"name": "A", "kind": "SCHOOL"}, x_correlation_id=value)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST_HEADER"
    assert error["message"].startswith("X-Correlation-Id must ")
    assert api.event_count() == 0
