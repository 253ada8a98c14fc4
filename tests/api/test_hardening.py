"""Security headers on every answer, production mode (no GraphiQL, no introspection) and the
per-identity rate limit on mutations, in-process through the real app."""

from __future__ import annotations

import base64
import hashlib
import inspect
import re
import time
from typing import TYPE_CHECKING, Any

import pytest
from bridgework.infra.app import create_app
from bridgework.infra.protection_settings import ProtectionSettings
from bridgework.infra.settings import Settings
from litestar.testing import TestClient
from support.api import ORG, Api, org
from support.auth import TEST_KEYS, Tokens
from support.context import SECRET_KEY

if TYPE_CHECKING:
    from collections.abc import Iterator

PRODUCTION = {"BRIDGEWORK_ENV": "production", "BRIDGEWORK_HTTPS": "true"}
SCHEMA = "{ __schema { queryType { name } } }"
SUBSCRIBE = "subscription { events { position } }"
TYPE = 'query { ...On } fragment On on Query { __type(name: "Query") { name } }'


def client(database_url: str, **env: str) -> TestClient[Any]:
    protection = ProtectionSettings.from_env(env)
    settings = Settings(
        database_url=database_url, secret_key=SECRET_KEY, protection=protection, data_dir=TEST_KEYS
    )
    return TestClient(create_app(settings))


def api_of(running: TestClient[Any]) -> Api:
    return Api(running, Tokens(TEST_KEYS))


@pytest.fixture
def production(database_url: str) -> Iterator[Api]:
    with client(database_url, **PRODUCTION) as running:
        yield api_of(running)


def csp(response: Any) -> dict[str, list[str]]:
    """The Content-Security-Policy header as directive -> sources."""
    directives = (d.split() for d in response.headers["content-security-policy"].split(";"))
    return {d[0]: d[1:] for d in directives if d}


def test_every_answer_carries_the_security_headers(api):
    answers = [
        api.client.get("/health"),
        api.client.post("/graphql", json={"query": "{ __typename }"}),
        api.client.get("/no-such-page"),
    ]
    for answer in answers:
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["x-frame-options"] == "DENY"
        assert csp(answer)["default-src"] == ["'none'"]
        assert csp(answer)["frame-ancestors"] == ["'none'"]
        assert "strict-transport-security" not in answer.headers  # not behind TLS
    assert answers[0].status_code == 200
    assert answers[2].status_code == 404
    assert answers[1].headers["cache-control"] == "no-store"


def test_the_headers_come_from_an_async_middleware_and_websockets_still_work(api):
    """Not a sync `before_send` hook (litestar runs one in a worker thread for every message):
    an async ASGI middleware around the app, which passes websockets by untouched."""
    app = api.client.app
    assert app.before_send == []
    assert inspect.iscoroutinefunction(app.asgi_handler)
    answer = api.client.post("/graphql", json={"query": "{ __typename }"}, headers=api.headers())
    assert answer.json() == {"data": {"__typename": "Query"}}
    assert (answer.headers["x-frame-options"], answer.headers["cache-control"]) == (
        "DENY",
        "no-store",
    )
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json(api.init())
        assert ws.receive_json(timeout=10)["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        position = org(api, "Over the socket")["position"]
        message = ws.receive_json(timeout=30)
        assert message["type"] == "next", message
        assert message["payload"]["data"]["events"]["position"] == position
        ws.send_json({"id": "1", "type": "complete"})


def test_the_graphiql_page_may_load_exactly_what_it_uses_in_development(api):
    page = api.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    policy = csp(page)
    inline = re.findall(r"<script>(.*?)</script>", page.text, flags=re.DOTALL)
    assert inline
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["script-src"]
    for source in re.findall(r'<script\s[^>]*src="(https://[^/"]+)/', page.text):
        assert source in policy["script-src"]
    for source in re.findall(r'<link\s[^>]*href="(https://[^/"]+)/', page.text):
        assert source in policy["style-src"]
    assert policy["connect-src"] == ["'self'"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_production_serves_no_graphiql_page_and_asks_for_https(production):
    page = production.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert csp(page)["default-src"] == ["'none'"]
    health = production.client.get("/health")
    assert health.headers["strict-transport-security"] == "max-age=31536000"


def test_production_refuses_introspection_with_its_code_but_answers_typename(production):
    for document in (SCHEMA, TYPE):
        body = production.post(document)
        assert body.get("data") is None, body
        assert {e["extensions"]["code"] for e in body["errors"]} == {"INTROSPECTION_DISABLED"}
    assert production.data("{ __typename }") == {"__typename": "Query"}
    assert org(production)["__typename"] == "OrganizationRegistered"


def test_a_document_that_passed_in_development_is_still_refused_in_production(database_url):
    with client(database_url) as development:
        assert api_of(development).data(SCHEMA) == {"__schema": {"queryType": {"name": "Query"}}}
    with client(database_url, BRIDGEWORK_ENV="production") as production:
        body = api_of(production).post(SCHEMA)
    assert body["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"


def test_production_may_turn_graphiql_and_introspection_back_on(database_url):
    env = PRODUCTION | {"BRIDGEWORK_GRAPHIQL": "true", "BRIDGEWORK_INTROSPECTION": "true"}
    with client(database_url, **env) as running:
        assert running.get("/graphql", headers={"Accept": "text/html"}).status_code == 200
        assert api_of(running).data(SCHEMA) == {"__schema": {"queryType": {"name": "Query"}}}


def register(running: TestClient[Any], name: str) -> Any:
    variables = {"name": name, "kind": "SCHOOL", "key": None}
    headers = api_of(running).headers()
    return running.post("/graphql", json={"query": ORG, "variables": variables}, headers=headers)


def test_mutations_past_the_burst_are_refused_with_retry_after_and_recover(database_url):
    limits = {"BRIDGEWORK_MUTATIONS_PER_MINUTE": "120", "BRIDGEWORK_MUTATION_BURST": "2"}
    with client(database_url, **limits) as running:
        api = api_of(running)
        before = api.event_count()
        three = (
            "mutation { "
            + " ".join(
                f'o{i}: registerOrganization(input: {{name: "Batch {i}", kind: SCHOOL}}) '
                "{ __typename }"
                for i in range(3)
            )
            + " }"
        )
        (too_many,) = api.post(three)["errors"]
        assert too_many["extensions"] == {"code": "RATE_LIMITED", "retryable": False}
        assert [register(running, f"School {i}").status_code for i in range(2)] == [200, 200]
        refused = register(running, "One too many")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["data"] is None
        (error,) = refused.json()["errors"]
        assert error["extensions"] == {"code": "RATE_LIMITED", "retryable": True, "retryAfter": 1}
        assert api.data("{ __typename }") == {"__typename": "Query"}  # reads are not limited
        assert api.event_count() == before + 2  # the refused one changed nothing
        time.sleep(error["extensions"]["retryAfter"])
        recovered = register(running, "After a pause")
        assert recovered.status_code == 200
        assert recovered.json()["data"]["registerOrganization"]["__typename"] == (
            "OrganizationRegistered"
        )
