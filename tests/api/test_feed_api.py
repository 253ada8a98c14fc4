"""`GET /feed`: the log as batches of CloudEvents after an opaque cursor, read as the
`events` query reads it (the caller's event types and organisations, personal fields only
when granted); a bad parameter is a 400 naming it and an anonymous caller a 401."""

from __future__ import annotations

from uuid import UUID

import pytest
from bridgework.infra.feed import BATCH, NEXT_CURSOR
from bridgework.services.identity import Role
from support.api import STUDENT_AT, org
from support.feed import visible_log

CREATE_KEY = """mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
  __typename ... on ApiKeyCreated { key } ... on UserError { message } } }"""
REGISTERED = "bridgework.directory.StudentRegistered"


def get(api, who, **params):
    return api.client.get("/feed", params=params, headers={"authorization": who})


def batch(api, who, **params):
    response = get(api, who, **params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(BATCH)
    return response.json(), response.headers[NEXT_CURSOR]


def read_all(api, who, **params):
    """Every event the feed gives `who`, a page of `limit` at a time, and the pages' sizes."""
    seen, sizes, after = [], [], None
    while True:
        found, cursor = batch(api, who, **params, **({} if after is None else {"after": after}))
        if not found:
            assert cursor == after or after is None  # nothing new: the same cursor again
            return seen, sizes
        seen += found
        sizes.append(len(found))
        after = cursor


@pytest.fixture
def log(api):
    """Schools A and C, each with a student registered."""
    a, c = org(api, "A")["id"], org(api, "C")["id"]
    for name, school in (("Ana Quill", a), ("Cai Rowan", c), ("Bo Lind", a)):
        last = api.data(STUDENT_AT, {"name": name, "school": school})["registerStudent"]
    return {"a": a, "c": c, "events": visible_log(api, last["position"])}


def test_paging_through_the_whole_log_yields_every_event_exactly_once_in_order(api, log):
    seen, sizes = read_all(api, api.staff, limit="2")
    assert [e["id"] for e in seen] == [e["eventId"] for e in log["events"]]
    assert len(seen) == len(log["events"]) >= 5
    assert all(size <= 2 for size in sizes)
    assert [int(e["sequence"]) for e in seen] == [e["position"] for e in log["events"]]
    first = seen[0]
    assert first["specversion"] == "1.0"
    assert first["source"] == "/bridgework"  # the default of BRIDGEWORK_EVENT_SOURCE
    assert first["type"] == "bridgework.directory.OrganizationRegistered"
    everything, _ = batch(api, api.staff)
    assert everything == seen  # one page of the default limit: the same events


def test_types_gives_only_those_public_types(api, log):
    seen, _ = read_all(api, api.staff, types=REGISTERED)
    assert [e["type"] for e in seen] == [REGISTERED] * 3
    both = f"{REGISTERED},bridgework.directory.OrganizationRegistered"
    seen, _ = read_all(api, api.staff, types=both, limit="1")
    assert [e["id"] for e in seen] == [e["eventId"] for e in log["events"]]


def test_a_coordinator_reads_only_its_organisations_events(api, log):
    of_a = api.tokens.bearer(Role.COORDINATOR, organisations=frozenset({UUID(log["a"])}))
    seen, _ = read_all(api, of_a, types=REGISTERED)
    assert len(seen) == 2
    assert {e["data"]["schoolId"] for e in seen} == {log["a"]}
    nothing = api.tokens.bearer(Role.COORDINATOR, organisations=frozenset())
    assert read_all(api, nothing)[0] == []


def test_a_key_scoped_to_some_event_types_gets_only_those_whatever_it_asks(api, log):
    made = api.data(
        CREATE_KEY,
        {
            "input": {
                "name": "SIS",
                "organizationIds": [log["a"], log["c"]],
                "eventTypes": ["StudentRegistered"],
            }
        },
    )["createApiKey"]
    assert made["__typename"] == "ApiKeyCreated", made
    key = f"Bearer {made['key']}"
    seen, _ = read_all(api, key)
    assert [e["type"] for e in seen] == [REGISTERED] * 3
    other = "bridgework.directory.OrganizationRegistered"
    assert read_all(api, key, types=other)[0] == []


def test_personal_fields_are_null_unless_granted(api, log):
    plain, _ = read_all(api, api.tokens.bearer(Role.AUDITOR), types=REGISTERED)
    assert [e["data"]["name"] for e in plain] == [None] * 3
    assert "Ana Quill" not in str(plain)
    assert "2007-01-15" not in str(plain)
    assert plain[0]["data"]["grade"] == 12  # not personal: kept
    granted, _ = read_all(
        api, api.tokens.bearer(Role.AUDITOR, personal_data=True), types=REGISTERED
    )
    assert [e["data"]["name"] for e in granted] == ["Ana Quill", "Cai Rowan", "Bo Lind"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"after": "not-a-cursor"}, "after"),
        ({"after": "cGFnZToxOjI="}, "after"),  # a cursor of another kind
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"types": "StudentRegistered"}, "types"),  # the stored name, not the public one
        ({"types": ""}, "types"),
        ({"types": ",".join([REGISTERED] * 101)}, "types"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api, log, params, parameter):
    response = get(api, api.staff, **params)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["parameter"] == parameter
    assert error["message"]
    assert NEXT_CURSOR not in response.headers


def test_an_unknown_type_is_named_in_the_error(api, log):
    error = get(api, api.staff, types=f"{REGISTERED},bridgework.x.Nope").json()["error"]
    assert error == error | {"parameter": "types"}
    assert "bridgework.x.Nope" in error["message"]


def test_the_feed_refuses_a_caller_without_a_verified_identity(api, log):
    for headers in ({}, {"authorization": "Bearer not-a-token"}):
        response = api.client.get("/feed", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert NEXT_CURSOR not in response.headers
