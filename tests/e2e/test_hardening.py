"""`bridgework serve` in production mode over real sockets: security headers, no GraphiQL,
no introspection, and the mutation rate limit over HTTP and graphql-transport-ws alike."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import httpx
import pytest
from gql import GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from support.api import ORG
from support.serve import Serve, data_folder, environment, run

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

PRODUCTION = environment(
    BRIDGEWORK_ENV="production",
    BRIDGEWORK_HTTPS="true",
    BRIDGEWORK_MUTATIONS_PER_MINUTE="12",
    BRIDGEWORK_MUTATION_BURST="3",
    BRIDGEWORK_SMTP_HOST="127.0.0.1",  # production mails, never logs, mail (none is sent here)
    BRIDGEWORK_SMTP_PORT="9",
)
HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "strict-transport-security": "max-age=31536000",
}


@pytest.fixture(scope="module")
def production(cluster: Path) -> Iterator[Serve]:
    with data_folder(cluster) as data_dir, Serve(data_dir, env=PRODUCTION) as running:
        yield running


def school(name: str) -> dict[str, object]:
    return {"name": name, "kind": "SCHOOL", "key": None}


def test_every_answer_carries_the_security_headers_and_there_is_no_graphiql(production):
    health = httpx.get(f"{production.url}/health", timeout=60)
    answer = httpx.post(f"{production.url}/graphql", json={"query": "{ __typename }"}, timeout=60)
    page = httpx.get(f"{production.url}/graphql", headers={"Accept": "text/html"}, timeout=60)
    assert (health.status_code, answer.status_code, page.status_code) == (200, 200, 404)
    for response in (health, answer, page):
        assert {name: response.headers.get(name) for name in HEADERS} == HEADERS
        assert response.headers["content-security-policy"].startswith("default-src 'none';")
    assert answer.headers["cache-control"] == "no-store"


async def test_introspection_is_refused_with_its_code(production):
    async with production.http() as http:
        with pytest.raises(TransportQueryError) as refused:
            await run(http, "{ __schema { queryType { name } } }")
        assert refused.value.errors is not None
        assert refused.value.errors[0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
        assert await run(http, "{ __typename }") == {"__typename": "Query"}


async def test_the_mutation_rate_limit_trips_over_http_and_websockets_and_recovers(production):
    async with production.http() as http:
        for i in range(3):
            answer = await run(http, ORG, **school(f"Limited {i}"))
            assert answer["registerOrganization"]["__typename"] == "OrganizationRegistered"
    async with httpx.AsyncClient(timeout=60, headers=production.headers) as client:
        body = {"query": ORG, "variables": school("Limited 3")}
        refused = await client.post(f"{production.url}/graphql", json=body)
    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 5  # a token every 5 s
    (error,) = refused.json()["errors"]
    assert error["extensions"] == {
        "code": "RATE_LIMITED",
        "retryable": True,
        "retryAfter": retry_after,
    }
    async with production.websocket() as ws:
        with pytest.raises(TransportQueryError) as over_ws:
            await ws.execute(GraphQLRequest(ORG, variable_values=school("Limited 4")))
    assert over_ws.value.errors is not None
    assert over_ws.value.errors[0]["extensions"]["code"] == "RATE_LIMITED"
    await asyncio.sleep(retry_after)  # the refused calls took no token
    async with production.http() as http:
        answer = await run(http, ORG, **school("Limited again"))
    assert answer["registerOrganization"]["__typename"] == "OrganizationRegistered"
