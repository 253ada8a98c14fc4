"""`GET /events/catalog`: the public event types and their schemas, to any authenticated
identity and to no one else."""

from __future__ import annotations

from uuid import uuid4

from bridgework.domain.catalog import EVENT_TYPES
from bridgework.services.contract import PUBLIC_NAMES
from bridgework.services.identity import Role


def test_the_catalog_lists_every_public_type_to_any_authenticated_identity(api):
    for authorization in (api.staff, api.tokens.student(uuid4()), api.tokens.bearer(Role.MENTOR)):
        response = api.client.get("/events/catalog", headers={"authorization": authorization})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["specversion"] == "1.0"
        types = [t["type"] for t in body["types"]]
        assert types == sorted(PUBLIC_NAMES[name] for name in EVENT_TYPES)
    hours = next(t for t in body["types"] if t["type"] == "bridgework.hours.HoursSubmitted")
    assert hours["personal"] == ["activity", "supervisorEmail", "supervisorName"]
    assert "organizationIds" in hours["schema"]["$defs"]["HoursSubmitted"]["properties"]


def test_the_catalog_refuses_a_caller_without_a_verified_identity(api):
    for headers in ({}, {"authorization": "Bearer not-a-token"}, {"authorization": "Basic x"}):
        response = api.client.get("/events/catalog", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"] == "Bearer"
        assert "types" not in response.json()
