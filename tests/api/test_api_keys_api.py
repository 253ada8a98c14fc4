"""Integrations' API keys over GraphQL: a coordinator creates one for their organisations
(never another's), it reads only what its scope allows, revoking it stops it at once, and
bad input of every kind is refused naming the field."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from bridgework.services.identity import Role
from support.api import STUDENT_AT, org

CREATE = """mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
  __typename ... on ApiKeyCreated {
    key id apiKey { hint organizationIds readOnly eventTypes createdBy } }
  ... on UserError { message } ... on ValidationError { field } } }"""
REVOKE = """mutation($id: ID!) { revokeApiKey(input: {id: $id}) {
  __typename ... on ApiKeyRevoked { apiKey { revokedAt } }
  ... on UserError { message } ... on NotFoundError { field } } }"""
KEYS = "{ apiKeys { id name organizationIds revokedAt } }"
EVENTS = "{ events(first: 100) { edges { node { type streamId } } } }"


@pytest.fixture
def schools(api):
    a, c = org(api, "A")["id"], org(api, "C")["id"]
    ana = api.data(STUDENT_AT, {"name": "Ana Lima", "school": a})["registerStudent"]["id"]
    api.data(STUDENT_AT, {"name": "Cai Rowan", "school": c})
    coordinator = api.tokens.bearer(Role.COORDINATOR, organisations=frozenset({UUID(a)}))
    return a, c, ana, coordinator


def create(api, who, **fields):
    given = {"name": "District SIS", "organizationIds": []} | fields
    return api.data(CREATE, {"input": given}, authorization=who)["createApiKey"]


def test_a_coordinator_creates_a_key_that_reads_only_its_scope(api, schools):
    a, _, ana, coordinator = schools
    made = create(
        api, coordinator, organizationIds=[a], readOnly=True, eventTypes=["StudentRegistered"]
    )
    assert made["__typename"] == "ApiKeyCreated", made
    assert made["key"].startswith(made["apiKey"]["hint"])
    assert made["apiKey"] == made["apiKey"] | {"organizationIds": [a], "readOnly": True}
    assert made["apiKey"]["createdBy"].startswith("coordinator:")
    seen = api.data(EVENTS, authorization=f"Bearer {made['key']}")["events"]["edges"]
    assert [(e["node"]["type"], e["node"]["streamId"]) for e in seen] == [
        ("StudentRegistered", f"student-{ana}")
    ]
    listed = api.data(KEYS, authorization=coordinator)["apiKeys"]
    assert [k["id"] for k in listed] == [made["id"]]
    assert made["key"] not in str(listed)  # the key is never shown again


def test_a_coordinator_may_not_create_or_revoke_another_organisations_key(api, schools):
    a, c, _, coordinator = schools
    refused = create(api, coordinator, organizationIds=[a, c])
    assert refused["__typename"] == "ForbiddenError"
    theirs = create(api, api.staff, organizationIds=[c])  # the administrator's, for C
    assert theirs["__typename"] == "ApiKeyCreated"
    revoked = api.data(REVOKE, {"id": theirs["id"]}, authorization=coordinator)["revokeApiKey"]
    assert revoked["__typename"] == "ForbiddenError"
    assert api.data(KEYS, authorization=coordinator)["apiKeys"] == []
    assert [k["id"] for k in api.data(KEYS)["apiKeys"]] == [theirs["id"]]  # the admin's view
    student = api.tokens.student(uuid4())
    assert create(api, student, organizationIds=[a])["__typename"] == "ForbiddenError"


def test_a_revoked_key_is_refused_at_once(api, schools):
    a, _, _, coordinator = schools
    made = create(api, coordinator, organizationIds=[a])
    as_key = f"Bearer {made['key']}"
    assert api.data(EVENTS, authorization=as_key)["events"]["edges"]
    revoked = api.data(REVOKE, {"id": made["id"]}, authorization=coordinator)["revokeApiKey"]
    assert revoked["__typename"] == "ApiKeyRevoked"
    assert revoked["apiKey"]["revokedAt"]
    body = api.post(EVENTS, authorization=as_key)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    unknown = api.data(REVOKE, {"id": str(uuid4())}, authorization=coordinator)["revokeApiKey"]
    assert unknown == unknown | {"__typename": "NotFoundError", "field": "id"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"organizationIds": []}, "organizationIds"),
        ({"name": ""}, "name"),
        ({"name": "SIS\x00"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"eventTypes": ["NoSuchEvent"]}, "eventTypes[0]"),
        ({"organizationIds": ["not-an-id"]}, "organizationIds[0]"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_creates_nothing(api, schools, fields, field):
    a, _, _, coordinator = schools
    body = api.post(
        CREATE,
        {"input": {"name": "SIS", "organizationIds": [a]} | fields},
        authorization=coordinator,
    )
    answer = (body.get("data") or {}).get("createApiKey")
    if answer is not None:
        assert answer == answer | {"__typename": "ValidationError", "field": field}, answer
    else:  # refused before it ran (a control character, an id that is no id)
        assert body["errors"][0]["extensions"]["field"] in {field, "input"}, body
    assert api.data(KEYS)["apiKeys"] == []
