"""Against the real `serve` over a real socket: the public event catalog, to an
authenticated caller only."""

from __future__ import annotations

import httpx
from bridgework.services.identity import Role


def test_an_integration_reads_the_catalog_and_an_anonymous_caller_is_refused(server):
    url = f"{server.url}/events/catalog"
    integration = server.tokens.bearer(Role.INTEGRATION)
    response = httpx.get(url, headers={"Authorization": integration}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    types = {t["type"]: t for t in response.json()["types"]}
    org = types["bridgework.directory.OrganizationRegistered"]
    assert org["version"] == 1
    assert org["schema"]["$defs"]["OrganizationRegistered"]["required"]

    refused = httpx.get(url, timeout=60)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
