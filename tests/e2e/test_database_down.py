"""The real server while its database is down, over a real socket: every answer is
UNAVAILABLE and retryable, in our own words with the request's correlation id, and the next
mutation after the database is back works."""

from __future__ import annotations

import time
from uuid import UUID, uuid4

import httpx
import pytest
from support.serve import Serve, environment

REGISTER = """mutation($key: String) {
  registerOrganization(input: {name: "Lincoln Middle School", kind: SCHOOL,
                               idempotencyKey: $key}) {
    __typename ... on OrganizationRegistered { id position } } }"""
QUERY = "{ events(first: 5) { edges { node { type } } } }"
DRIVER_WORDS = ("Errno", "Connect call", "refused", "asyncpg", "closed", "pg_", "Traceback")


def post(server: Serve, query: str, variables: dict | None = None, **headers: str) -> dict:
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=server.headers | headers,
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return response.json()


def assert_unavailable(body: dict, correlation: str) -> None:
    [error] = body["errors"]
    ours = error["extensions"]["correlationId"]
    assert UUID(ours) != UUID(correlation)  # the server's own; the client's beside it
    assert error["extensions"] == {
        "code": "UNAVAILABLE",
        "retryable": True,
        "correlationId": ours,
        "clientCorrelationId": correlation,
    }
    assert ours in error["message"]
    for words in DRIVER_WORDS:
        assert words not in str(body), body


@pytest.mark.slow
def test_while_the_database_is_down_every_answer_is_unavailable_and_then_it_recovers(
    tmp_path, private_postgres
):
    env = environment(DATABASE_URL=private_postgres.url(), BRIDGEWORK_RUN_PROJECTIONS="false")
    with Serve(tmp_path / "data", env=env) as server:
        first = server.graphql(REGISTER)["registerOrganization"]
        assert first["__typename"] == "OrganizationRegistered"
        private_postgres.stop()
        for query, variables in ((REGISTER, {"key": "lincoln-2"}), (QUERY, None)):
            correlation = str(uuid4())
            body = post(server, query, variables, **{"X-Correlation-Id": correlation})
            assert_unavailable(body, correlation)
        server.wait_for_output(correlation)  # logged, with the same id

        private_postgres.start()
        deadline = time.monotonic() + 60
        while True:
            correlation = str(uuid4())
            body = post(server, REGISTER, {"key": "lincoln-2"}, **{"X-Correlation-Id": correlation})
            if "errors" not in body or time.monotonic() > deadline:
                break
            assert_unavailable(body, correlation)  # reconnecting: still in our own words
            time.sleep(0.5)
        second = body["data"]["registerOrganization"]
        assert second["__typename"] == "OrganizationRegistered", body
        assert second["position"] > first["position"]
        again = post(server, REGISTER, {"key": "lincoln-2"})["data"]["registerOrganization"]
        assert again == second
