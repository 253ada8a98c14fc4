"""The event subscription over graphql-transport-ws: catch up, then live, nothing twice."""

from __future__ import annotations

from support.api import ORG, org

SUBSCRIBE = """subscription($after: String, $types: [String!]) {
  events(after: $after, types: $types) { position type cursor payload } }"""


def subscribe(ws, variables, sub_id="1"):
    ws.send_json(
        {"id": sub_id, "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": variables}}
    )


def next_event(ws):
    message = ws.receive_json(timeout=30)
    assert message["type"] == "next", message
    return message["payload"]["data"]["events"]


def connect(api):
    return api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"])


def test_a_subscriber_catches_up_then_follows_live_without_gaps_or_repeats(api):
    before = [org(api, f"School {i}")["position"] for i in range(3)]
    with connect(api) as ws:
        ws.send_json(api.init())
        assert ws.receive_json(timeout=10)["type"] == "connection_ack"
        subscribe(ws, {"after": None})
        caught_up = [next_event(ws) for _ in before]
        assert [e["position"] for e in caught_up] == before
        live = [org(api, f"Live {i}")["position"] for i in range(3)]
        followed = [next_event(ws) for _ in live]
        assert [e["position"] for e in followed] == live
        assert followed[0]["payload"]["name"] == "Live 0"
        # Nothing is sent twice: the very next event is the next one written.
        last = org(api, "Last")["position"]
        assert next_event(ws)["position"] == last
        ws.send_json({"id": "1", "type": "complete"})


def test_many_subscribers_each_receive_every_new_event(api):
    with connect(api) as first, connect(api) as second:
        for ws in (first, second):
            ws.send_json(api.init())
            assert ws.receive_json(timeout=10)["type"] == "connection_ack"
            subscribe(ws, {"after": None})
        live = [org(api, f"Live {i}")["position"] for i in range(3)]
        for ws in (first, second):
            assert [next_event(ws)["position"] for _ in live] == live


def test_a_subscriber_with_an_unusable_correlation_header_is_refused(api):
    with api.client.websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"], headers={"X-Correlation-Id": "a\tb"}
    ) as ws:
        ws.send_json(api.init())
        ws.receive_json(timeout=10)
        subscribe(ws, {"after": None})
        message = ws.receive_json(timeout=10)
        assert message["type"] == "next", message
        assert message["payload"]["errors"][0]["extensions"]["code"] == "BAD_REQUEST_HEADER"


def test_a_subscriber_resumes_after_its_cursor_and_filters_by_type(api):
    first = org(api, "A")
    with connect(api) as ws:
        ws.send_json(api.init())
        ws.receive_json(timeout=10)
        subscribe(ws, {"after": None, "types": ["OrganisationRegistered"]})
        cursor = next_event(ws)["cursor"]
        ws.send_json({"id": "1", "type": "complete"})
    api.data(
        'mutation { registerStudent(input: {name: "Ana Lima"}) { __typename } }'
    )  # another type: skipped
    second = api.data(ORG, {"name": "B", "kind": "SCHOOL"})["registerOrganization"]
    with connect(api) as ws:
        ws.send_json(api.init())
        ws.receive_json(timeout=10)
        subscribe(ws, {"after": cursor, "types": ["OrganisationRegistered"]}, "2")
        resumed = next_event(ws)
        assert resumed["position"] == second["position"] > first["position"]
        assert resumed["type"] == "OrganisationRegistered"


def test_a_bad_cursor_ends_the_subscription_with_an_error(api):
    with connect(api) as ws:
        ws.send_json(api.init())
        ws.receive_json(timeout=10)
        subscribe(ws, {"after": "garbage"})
        message = ws.receive_json(timeout=10)
        # The generator fails on its first step: graphql-transport-ws reports that as a
        # result with errors (`next`), then completes the subscription.
        assert message["type"] == "next", message
        [error] = message["payload"]["errors"]
        assert error["message"].startswith("after: 'garbage' is not a valid event cursor")
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert ws.receive_json(timeout=10)["type"] == "complete"
