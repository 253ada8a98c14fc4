"""`asOf`: a program's enrolment and a partnership's impact report as the live views showed
them at a moment, captured during the test, served again after more commands have run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bridgework.services.identity import Role
from support.api import PARTNERSHIP, PROGRAM, TODAY, enrol, org, program_input, student

WITHDRAW = """mutation($input: WithdrawStudentInput!) { withdrawStudent(input: $input) {
  __typename ... on StudentWithdrawn { position } ... on UserError { message } } }"""
SCHEDULE = """mutation($input: ScheduleSessionInput!) { scheduleSession(input: $input) {
  __typename ... on SessionChanged { sessionId position } } }"""
ATTEND = """mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) {
  __typename ... on SessionChanged { position } } }"""

VIEWS = """query($id: ID!, $p: ID!, $from: Date!, $to: Date!) {
  program(id: $id) {
    name capacity
    enrollment { enrolled waitlisted withdrawn seatsLeft
      entries { status waitlistPlace student { name } } }
    sessions { title present unexcused }
  }
  impactReport(partnershipId: $p, startsOn: $from, endsOn: $to) {
    totals { students seats completions attendanceRate }
    breakdowns { by groups { label suppressed numbers { students } } }
  }
}"""


def as_of(argument: str) -> str:
    """The same selection, under `asOf(…)`."""
    head, _, rest = VIEWS.partition("{\n")
    return f"{head}{{ asOf({argument}) {{\n{rest}}}"


def caught_up(position: int) -> str:
    """The live views, each waiting until the projections include `position`."""
    return VIEWS.replace("program(id: $id)", f"program(id: $id, atLeast: {position})").replace(
        "endsOn: $to)", f"endsOn: $to, atLeast: {position})"
    )


def last_event(api):
    edges = api.data("{ events(first: 1000) { edges { node { position recordedAt } } } }")
    return edges["events"]["edges"][-1]["node"]


@pytest.fixture
def story(api):
    """A program with three students in two seats, sessions and attendance: the views are
    captured at a moment, then more commands change them."""
    school, firm = org(api)["id"], org(api, "Ardent Engineering", "BUSINESS")["id"]
    formed = api.data(
        PARTNERSHIP, {"input": {"name": "Robotics", "organizationIds": [school, firm]}}
    )
    partnership = formed["formPartnership"]["id"]
    launched = api.data(PROGRAM, {"input": program_input(partnership, capacity=2)})
    program = launched["launchProgram"]["id"]
    kids = [student(api, name) for name in ("Ana Lima", "Bo Chen", "Cai Rowan")]
    for kid in kids:
        at = enrol(api, program, kid)["position"]
    night = {"programId": program, "heldOn": TODAY.isoformat(), "title": "Night 1"}
    session = api.data(SCHEDULE, {"input": night})["scheduleSession"]["sessionId"]
    marks = [{"studentId": kids[0], "status": "PRESENT"}]
    at = api.data(ATTEND, {"input": {"programId": program, "sessionId": session, "marks": marks}})
    at = at["recordAttendance"]["position"]
    period = {"from": TODAY.isoformat(), "to": (TODAY + timedelta(days=30)).isoformat()}
    variables = {"id": program, "p": partnership} | period
    then = api.data(caught_up(at), variables)
    moment = last_event(api)
    assert moment["position"] == at
    # …and then the story goes on: a withdrawal lets the waitlisted student in, more attendance.
    out = api.data(WITHDRAW, {"input": {"programId": program, "studentId": kids[0]}})
    assert out["withdrawStudent"]["__typename"] == "StudentWithdrawn", out
    night2 = {"programId": program, "heldOn": TODAY.isoformat(), "title": "Night 2"}
    second = api.data(SCHEDULE, {"input": night2})["scheduleSession"]["sessionId"]
    marks2 = [{"studentId": kids[1], "status": "UNEXCUSED"}]
    last = api.data(ATTEND, {"input": {"programId": program, "sessionId": second, "marks": marks2}})
    assert last["recordAttendance"]["__typename"] == "SessionChanged", last
    latest = enrol(api, program, student(api, "Dee Park"))["position"]
    now = api.data(caught_up(latest), variables)
    assert now != then
    return {"then": then, "now": now, "moment": moment, "variables": variables}


def test_as_of_a_position_and_a_time_serve_the_views_as_they_were(api, story):
    position = story["moment"]["position"]
    by_position = api.data(as_of(f"position: {position}"), story["variables"])["asOf"]
    assert by_position == story["then"]
    at = story["moment"]["recordedAt"]
    by_time = api.data(as_of(f'at: "{at}"'), story["variables"])["asOf"]
    assert by_time == story["then"]
    # the live views are untouched, and a cached view is served again without a rebuild
    views = api.client.app.state.api.as_of
    built = views.builds
    assert api.data(as_of(f"position: {position}"), story["variables"])["asOf"] == story["then"]
    assert views.builds == built
    assert api.data(VIEWS, story["variables"]) == story["now"]


def test_the_log_under_as_of_ends_at_that_position(api, story):
    position = story["moment"]["position"]
    log = "events(first: 1000) { edges { node { position } } }"
    query = f"{{ asOf(position: {position}) {{ {log} }} }}"
    edges = api.data(query)["asOf"]["events"]["edges"]
    assert edges[-1]["node"]["position"] == position


def test_as_of_keeps_policies_and_scope(api, story):
    position = story["moment"]["position"]
    program = story["variables"]["id"]
    query = f'{{ asOf(position: {position}) {{ program(id: "{program}") {{ name }} }} }}'
    stranger = api.tokens.bearer(Role.COORDINATOR, organisations=frozenset({org(api, "Far")["id"]}))
    assert api.data(query, authorization=stranger)["asOf"] == {"program": None}
    refused = api.post(query, authorization=api.tokens.student(story["variables"]["id"]))
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("argument", "field", "says"),
    [
        ("position: -1", "position", "0 or more"),
        ("position: 100000", "position", "past the log's visible end"),
        ('position: 1, at: "2026-01-01T00:00:00Z"', "position", "exactly one"),
        ("", "position", "exactly one"),
        ('at: "2026-01-01T00:00:00"', "at", "time zone"),
    ],
)
def test_bad_arguments_are_refused_naming_them(api, story, argument, field, says):
    call = f"asOf({argument})" if argument else "asOf"
    body = api.post(f"{{ {call} {{ programs {{ edges {{ cursor }} }} }} }}")
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert says in error["message"]
    assert body["data"] is None


@pytest.mark.parametrize(
    "query",
    [
        "{ asOf(position: 1) { apiKeys { id } } events(first: 1) { edges { cursor } } }",
        "{ a: asOf(position: 1) { apiKeys { id } } b: asOf(position: 2) { apiKeys { id } } }",
        "{ asOf(position: 1) { asOf(position: 2) { apiKeys { id } } } }",
        "query { ...B } fragment B on Query { asOf(position: 1) { apiKeys { id } } apiKeys { id } }",  # noqa: E501
    ],
)
def test_as_of_is_not_mixed_with_other_root_fields_nor_nested(api, story, query):
    body = api.post(query)
    assert body["errors"], body
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}
    assert all("asOf" in e["message"] for e in body["errors"])


def test_a_view_needing_more_events_than_the_limit_is_refused(api, story):
    views = api.client.app.state.api.as_of
    limits = views.limits
    views.limits = type(limits)(max_events=3)
    try:
        body = api.post(
            f"{{ asOf(position: {story['moment']['position']}) {{ apiKeys {{ id }} }} }}"
        )
    finally:
        views.limits = limits
    [error] = body["errors"]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == (
        "BAD_USER_INPUT",
        "position",
    )
    assert "more than the limit of 3" in error["message"]
    assert body["data"] is None


def test_as_of_over_a_websocket_is_refused_and_the_socket_keeps_reading_live(api, story):
    """A socket's operations share one context: a past view there would leak into the next."""
    position = story["moment"]["position"]
    program = story["variables"]["id"]
    past = f'{{ asOf(position: {position}) {{ program(id: "{program}") {{ name }} }} }}'
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json(api.init())
        assert ws.receive_json(timeout=10)["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": past}})
        refused = ws.receive_json(timeout=10)
        live = {"query": VIEWS, "variables": story["variables"]}
        ws.send_json({"id": "2", "type": "subscribe", "payload": live})
        answers = [ws.receive_json(timeout=10) for _ in range(3)]
    errors = refused["payload"]["errors"] if refused["type"] == "next" else refused["payload"]
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]
    assert "HTTP only" in errors[0]["message"]
    [data] = [a["payload"]["data"] for a in answers if a["type"] == "next" and a["id"] == "2"]
    assert data == story["now"]
