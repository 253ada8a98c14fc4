"""Against the real `serve` over a real socket (httpx): an integration's API key pages through
`GET /feed` to the end of the log, each event once and in order, with the deployment's
configured `source`; a bad cursor is a 400 naming it and an anonymous caller a 401."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
from support.api import ORG, STUDENT_AT
from support.serve import Serve, data_folder, environment, payload, run

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

CREATE_KEY = """mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
  __typename ... on ApiKeyCreated { key } ... on UserError { message } } }"""
BATCH = "application/cloudevents-batch+json"
SOURCE = "https://bridgework.example.org/lincoln"


@pytest.fixture(scope="module")
def server(cluster: Path) -> Iterator[Serve]:
    env = environment(BRIDGEWORK_EVENT_SOURCE=SOURCE)
    with data_folder(cluster) as data_dir, Serve(data_dir, env=env) as running:
        yield running


async def test_an_integration_pages_through_the_feed(server):
    async with server.http() as admin:
        school = (await payload(admin, ORG, name="Feed School", kind="SCHOOL"))["id"]
        await payload(admin, STUDENT_AT, name="Fay Feed", school=school)
        made = await run(admin, CREATE_KEY, input={"name": "SIS", "organizationIds": [school]})
    integration = {"Authorization": f"Bearer {made['createApiKey']['key']}"}
    seen, after = [], None
    async with httpx.AsyncClient(base_url=server.url, headers=integration, timeout=60) as client:
        while True:
            params = {"limit": "1"} | ({} if after is None else {"after": after})
            response = await client.get("/feed", params=params)
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith(BATCH)
            found = response.json()
            if not found:
                assert response.headers["bridgework-next-cursor"] == after
                break
            seen += found
            after = response.headers["bridgework-next-cursor"]
        bad = await client.get("/feed", params={"after": "nonsense"})
        assert bad.status_code == 400
        assert bad.json()["error"]["parameter"] == "after"
        refused = await client.get("/feed", headers={"Authorization": ""})
        assert refused.status_code == 401
    assert [e["type"] for e in seen] == [
        "bridgework.directory.OrganizationRegistered",
        "bridgework.directory.StudentRegistered",
    ]
    assert [int(e["sequence"]) for e in seen] == sorted({int(e["sequence"]) for e in seen})
    assert {e["source"] for e in seen} == {SOURCE}
    assert seen[1]["data"]["name"] is None  # an integration not granted personal data
