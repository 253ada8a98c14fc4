"""A declared policy on every operation, default deny: the schema's every root field is
walked, and the policies are enforced per role."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from bridgework.graphql import policy
from bridgework.graphql.schema import schema
from bridgework.infra.auth.apikeys import ApiKeys
from bridgework.services.identity import Role
from support.api import ORG, STUDENT, STUDENT_AT, org
from support.auth import principal


def forbidden(body: dict) -> None:
    """One FORBIDDEN error and nothing of the field."""
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert not any((body.get("data") or {}).values())


ROOTS = {"Query": schema.query, "Mutation": schema.mutation, "Subscription": schema.subscription}


def root_fields():
    for root, type_ in ROOTS.items():
        for field in type_.__strawberry_definition__.fields:  # type: ignore[union-attr]
            yield root, field


def test_every_query_mutation_and_subscription_field_declares_a_policy():
    undeclared = [
        f"{root}.{f.python_name}" for root, f in root_fields() if policy.policy_of(f) is None
    ]
    assert undeclared == []
    assert len(list(root_fields())) > 50  # the walk saw the whole schema


def test_every_mutation_defers_to_the_command_it_sends():
    for root, field in root_fields():
        if root == "Mutation":
            declared = policy.policy_of(field)
            assert declared is not None
            assert declared.command is not None, field.python_name
            assert declared.roles == declared.command.allowed_roles


def test_a_field_without_a_declared_policy_is_refused_to_everyone():
    assert not policy.DENY.allows(None, {})
    for role in Role:
        assert not policy.DENY.allows(principal(role), {})


READS = "{ programs { edges { cursor } } }"
LOG = "{ events(first: 1) { edges { cursor } } }"


@pytest.mark.parametrize(
    ("role", "programs", "log"),
    [
        (Role.ADMINISTRATOR, True, True),
        (Role.COORDINATOR, True, True),
        (Role.PARTNER_LIAISON, True, False),
        (Role.AUDITOR, True, True),
        (Role.INTEGRATION, False, False),  # a token cannot claim it (API keys only)
        (Role.MENTOR, False, False),
        (Role.STUDENT, False, False),
        (Role.SUPERVISOR, False, False),
    ],
)
def test_each_role_reads_what_its_policy_says(api, role, programs, log):
    authorization = api.tokens.bearer(role)
    for document, allowed in ((READS, programs), (LOG, log)):
        body = api.post(document, authorization=authorization)
        if allowed:
            assert "errors" not in body, body
        else:
            forbidden(body)


def test_a_student_reads_their_own_record_and_no_one_elses(api):
    ana = api.data(STUDENT, {"name": "Ana Lima"})["registerStudent"]["id"]
    registered = api.data(STUDENT, {"name": "Bo Chen"})["registerStudent"]
    bo, at = registered["id"], registered["position"]
    query = "query($id: ID!, $at: Int) { student(id: $id, atLeast: $at) { name } }"
    own = api.data(query, {"id": ana, "at": at}, authorization=api.tokens.student(ana))
    assert own["student"] == {"name": "Ana Lima"}
    forbidden(api.post(query, {"id": bo}, authorization=api.tokens.student(ana)))
    forbidden(api.post(query, {"id": ana}, authorization=api.tokens.mentor(uuid4())))


def test_the_log_subscription_is_refused_to_a_role_without_the_log(api):
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json(api.init(api.tokens.bearer(Role.MENTOR)))
        assert ws.receive_json(timeout=10)["type"] == "connection_ack"
        events = {"query": "subscription { events { position } }"}
        ws.send_json({"id": "1", "type": "subscribe", "payload": events})
        message = ws.receive_json(timeout=10)
    assert message["type"] in {"next", "error"}, message
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


def test_an_integrations_key_reads_the_log_only_within_its_event_types(api):
    school = org(api)["id"]
    api.data(STUDENT_AT, {"name": "Ana Lima", "school": school})
    api.data(STUDENT_AT, {"name": "Cai Rowan", "school": org(api, "Another")["id"]})
    keys = ApiKeys(api.client.app.state.api.pool)
    _, key = api.client.blocking_portal.call(
        lambda: keys.create(
            name="warehouse",
            organisations=[UUID(school)],
            created_by="test",
            read_only=True,
            event_types=["StudentRegistered"],
        )
    )
    query = "query($t: [String!]) { events(types: $t) { edges { node { type } } } }"
    for asked in (None, ["OrganisationRegistered", "StudentRegistered"]):
        seen = api.data(query, {"t": asked}, authorization=f"Bearer {key}")["events"]["edges"]
        assert [e["node"]["type"] for e in seen] == ["StudentRegistered"]
    nothing = api.data(query, {"t": ["OrganisationRegistered"]}, authorization=f"Bearer {key}")
    assert nothing["events"]["edges"] == []
    refused = api.data(ORG, {"name": "X", "kind": "SCHOOL"}, authorization=f"Bearer {key}")
    assert refused["registerOrganization"]["__typename"] == "ForbiddenError"
