"""No way in without a verified identity: every operation over HTTP and every websocket."""

from __future__ import annotations

import time
from datetime import timedelta
from uuid import uuid4

import pytest
from bridgework.infra.auth.issuer import LocalIssuer
from bridgework.infra.auth.settings import AuthSettings
from bridgework.infra.settings import Settings
from bridgework.services.identity import Role
from litestar.exceptions import WebSocketDisconnect
from support.api import ORG, a_program
from support.auth import TEST_KEYS, principal

QUERY = "{ programs { edges { cursor } } }"
INTROSPECTION = "{ __schema { queryType { name } } }"
APPLY = """mutation($input: ApplyToProgramInput!) { applyToProgram(input: $input) {
  __typename } }"""


def refused(body: dict) -> None:
    """One error, UNAUTHENTICATED, and no data at all."""
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}


def issued(issuer: LocalIssuer, role: Role = Role.COORDINATOR, seconds: int = 600) -> str:
    return f"Bearer {issuer.issue(principal(role), timedelta(seconds=seconds))}"


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Basic YWxhZGRpbjpvcGVu"])
def test_without_a_token_every_operation_is_unauthenticated(api, authorization):
    for document, variables in (
        (QUERY, None),
        (ORG, {"name": "A", "kind": "SCHOOL"}),
        (INTROSPECTION, None),
        ("{ nope }", None),  # not even validation answers: the schema stays unseen
    ):
        refused(api.post(document, variables, authorization=authorization))
    assert api.event_count() == 0


def test_without_a_token_only_an_operation_of_link_fields_runs(api):
    link_only = 'query Link { hoursToVerify(token: "not-a-link") { hours } }'
    [error] = api.post(link_only, authorization=None)["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"  # it ran: the token is the check
    for document in (
        '{ hoursToVerify(token: "x") { hours } programs { edges { cursor } } }',
        '{ ...F } fragment F on Query { hoursToVerify(token: "x") { hours } }',
        'query A { programs { edges { cursor } } } query B { hoursToVerify(token: "x") { hours } }',
        "{ hoursToVerify(token: " + '"x" ' * 2000 + ") { hours } }",
    ):
        refused(api.post(document, authorization=None))
    both = link_only + " query Other { programs { edges { cursor } } }"
    chosen = api.client.post("/graphql", json={"query": both, "operationName": "Other"})
    refused(chosen.json())


def test_forged_expired_wrong_audience_and_wrong_key_tokens_are_refused(api, tmp_path):
    good = api.tokens.token()
    header, claims, signature = good.split(".")
    forged_claims = claims[:-4] + ("AAAA" if not claims.endswith("AAAA") else "BBBB")
    keys = Settings(data_dir=TEST_KEYS)
    an_hour_ago = LocalIssuer(keys, clock=lambda: time.time() - 3600)
    elsewhere = Settings(data_dir=TEST_KEYS, auth=AuthSettings(audience="someone-else"))
    other_key = Settings(data_dir=tmp_path)  # a key of its own
    for authorization in (
        f"Bearer {header}.{forged_claims}.{signature}",
        f"Bearer {header}.{claims}.{signature[::-1]}",
        issued(an_hour_ago, seconds=60),
        issued(LocalIssuer(elsewhere)),
        issued(LocalIssuer(other_key)),
        f"Bearer {good}x",
    ):
        refused(api.post(ORG, {"name": "A", "kind": "SCHOOL"}, authorization=authorization))
    assert api.event_count() == 0
    assert "errors" not in api.post(QUERY, authorization=f"Bearer {good}")


def test_a_student_cannot_act_for_another(api):
    program, _, _ = a_program(api)
    ana, bo = uuid4(), uuid4()
    as_bo = api.data(
        APPLY,
        {"input": {"programId": program, "studentId": str(ana)}},
        authorization=api.tokens.student(bo),
    )
    assert as_bo["applyToProgram"]["__typename"] == "ForbiddenError"


def connect(api):
    return api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"])


@pytest.mark.parametrize(
    "payload", [None, {}, {"authorization": "Bearer nonsense"}, {"authorization": 42}]
)
def test_a_websocket_without_a_valid_token_in_connection_init_is_rejected(api, payload):
    init = {"type": "connection_init"} | ({} if payload is None else {"payload": payload})
    with connect(api) as ws:
        ws.send_json(init)
        with pytest.raises(WebSocketDisconnect) as rejected:
            ws.receive_json(timeout=10)
    assert rejected.value.code == 4403


@pytest.mark.parametrize("key", ["authorization", "Authorization", "AUTHORIZATION"])
def test_connection_init_takes_the_token_under_any_case_of_its_name(api, key):
    with connect(api) as ws:
        ws.send_json({"type": "connection_init", "payload": {key: api.staff}})
        assert ws.receive_json(timeout=10)["type"] == "connection_ack"


def test_a_subscription_before_connection_init_is_unauthorised(api):
    events = {"query": "subscription { events { position } }"}
    with connect(api) as ws:
        ws.send_json({"id": "1", "type": "subscribe", "payload": events})
        with pytest.raises(WebSocketDisconnect) as rejected:
            ws.receive_json(timeout=10)
    assert rejected.value.code == 4401


def test_a_websocket_is_closed_when_its_token_expires(api):
    short = api.tokens.bearer(expires=timedelta(seconds=2))
    with connect(api) as ws:
        ws.send_json(api.init(short))
        assert ws.receive_json(timeout=10)["type"] == "connection_ack"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json(timeout=10)
    assert closed.value.code == 4401


def test_one_identity_may_hold_only_its_share_of_websockets(api):
    limit = api.client.app.state.websockets
    limit.per_identity = 2
    mine = api.tokens.bearer(subject="busy")
    with connect(api) as first, connect(api) as second:
        for ws in (first, second):
            ws.send_json(api.init(mine))
            assert ws.receive_json(timeout=10)["type"] == "connection_ack"
        with connect(api) as third:
            third.send_json(api.init(mine))
            with pytest.raises(WebSocketDisconnect) as rejected:
                third.receive_json(timeout=10)
        assert rejected.value.code == 4403
        with connect(api) as someone_else:  # another identity is not held back
            someone_else.send_json(api.init())
            assert someone_else.receive_json(timeout=10)["type"] == "connection_ack"
    deadline = time.monotonic() + 10  # the server ends each socket's handler a moment later
    while limit.by_identity and time.monotonic() < deadline:
        time.sleep(0.05)
    assert limit.by_identity == {}
