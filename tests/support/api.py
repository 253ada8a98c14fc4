"""Talking to the real app over HTTP in API tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar.testing import TestClient

ORG = """mutation($name: String!, $kind: OrganizationKind!, $key: String) {
  registerOrganization(input: {name: $name, kind: $kind, idempotencyKey: $key}) {
    __typename
    ... on OrganizationRegistered { id position }
    ... on UserError { message }
    ... on ValidationError { field }
  } }"""


class Api:
    def __init__(self, client: TestClient[Any]) -> None:
        self.client = client

    def post(self, query: str, variables: dict[str, Any] | None = None, **headers: str) -> dict:
        response = self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={k.replace("_", "-"): v for k, v in headers.items()},
        )
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, variables: dict[str, Any] | None = None, **headers: str) -> dict:
        body = self.post(query, variables, **headers)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def event_count(self) -> int:
        query = "query($after: String) { events(first: 1000, after: $after) { edges { cursor } } }"
        total, after = 0, None
        while edges := self.data(query, {"after": after})["events"]["edges"]:
            total, after = total + len(edges), edges[-1]["cursor"]
        return total


def org(api, name="Lincoln Middle School", kind="SCHOOL", key=None):
    result = api.data(ORG, {"name": name, "kind": kind, "key": key})["registerOrganization"]
    assert result["__typename"] == "OrganizationRegistered", result
    return result
