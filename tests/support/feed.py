"""Talking to `GET /feed` and its named consumers in API tests."""

from __future__ import annotations

import time
from urllib.parse import quote

from bridgework.infra.feed import NEXT_CURSOR
from support.api import STUDENT_AT, org

ALL_EVENTS = "{ events(first: 1000) { edges { node { eventId type position recordedAt } } } }"
CREATE_KEY = """mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
  __typename ... on ApiKeyCreated { key } ... on UserError { message } } }"""


def read(api, who, name, **params):
    response = api.client.get(
        "/feed", params={"consumer": name} | params, headers={"authorization": who}
    )
    assert response.status_code == 200, response.text
    return response.json(), response.headers[NEXT_CURSOR]


def post(api, who, name, action, body):
    path = f"/feed/consumers/{quote(name, safe='')}/{action}"
    return api.client.post(path, json=body, headers={"authorization": who})


def ack(api, who, name, cursor):
    response = post(api, who, name, "ack", {"cursor": cursor})
    assert response.status_code == 200, response.text
    return response.json()


def listed(api, who):
    response = api.client.get("/feed/consumers", headers={"authorization": who})
    assert response.status_code == 200, response.text
    return {c["name"]: c for c in response.json()["consumers"]}


def key(api, *organisations):
    made = api.data(CREATE_KEY, {"input": {"name": "SIS", "organizationIds": list(organisations)}})
    assert made["createApiKey"]["__typename"] == "ApiKeyCreated", made
    return f"Bearer {made['createApiKey']['key']}"


def ids(batch):
    return [e["id"] for e in batch]


def visible_log(api, position):
    """The whole log once the event at `position` is readable: a projection's transaction that
    began before the write commits can hold it back for a moment (gap-safe reads)."""
    deadline = time.monotonic() + 60
    while True:
        events = [e["node"] for e in api.data(ALL_EVENTS)["events"]["edges"]]
        if position in [e["position"] for e in events]:
            return events
        assert time.monotonic() < deadline, f"position {position} not readable within 60 s"
        time.sleep(0.01)


def school_log(api):
    """School A with three students (four events in its scope) and a key scoped to it."""
    a = org(api, "A")["id"]
    for name in ("Ana", "Bo", "Cy"):
        last = api.data(STUDENT_AT, {"name": name, "school": a})["registerStudent"]
    return {"a": a, "events": visible_log(api, last["position"]), "key": key(api, a)}
