"""Against the real `serve` over real sockets: a school's coordinator reads only its own
students, creates an API key for its school, and an integration holding that key follows
only the school's events over a websocket (HTTP with gql, graphql-transport-ws with gql)."""

from __future__ import annotations

from uuid import UUID

from bridgework.services.identity import Role
from support.api import ORG, STUDENT_AT
from support.serve import Follower, payload, run

CREATE_KEY = """mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
  __typename ... on ApiKeyCreated { key id } ... on UserError { message } } }"""
STUDENT = "query($id: ID!) { student(id: $id) { id name } }"


async def test_a_coordinator_and_its_key_reach_only_their_school(server):
    async with server.http() as admin:
        a = (await payload(admin, ORG, name="Alder School", kind="SCHOOL"))["id"]
        c = (await payload(admin, ORG, name="Cedar School", kind="SCHOOL"))["id"]
        ana = (await payload(admin, STUDENT_AT, name="Ana Alder", school=a))["id"]
        cai = (await payload(admin, STUDENT_AT, name="Cai Cedar", school=c))["id"]
    coordinator = server.tokens.bearer(Role.COORDINATOR, organisations=frozenset({UUID(a)}))
    async with server.http(coordinator) as of_a:
        assert (await run(of_a, STUDENT, id=ana))["student"]["name"] == "Ana Alder"
        assert (await run(of_a, STUDENT, id=cai))["student"] is None
        refused = await run(of_a, CREATE_KEY, input={"name": "SIS", "organizationIds": [c]})
        assert refused["createApiKey"]["__typename"] == "ForbiddenError"
        made = await run(of_a, CREATE_KEY, input={"name": "SIS", "organizationIds": [a]})
        key = made["createApiKey"]["key"]
        elm = await run(of_a, ORG, name="Elm School", kind="SCHOOL")
        assert elm["registerOrganization"]["__typename"] == "ForbiddenError"  # the admin's
    async with (
        server.websocket(f"Bearer {key}") as integration,
        Follower(integration, after=None) as follower,
    ):
        school_events = await follower.until(2)  # A registered, Ana registered
        async with server.http() as admin:
            await payload(admin, STUDENT_AT, name="Cy Cedar", school=c)
            bea = (await payload(admin, STUDENT_AT, name="Bea Alder", school=a))["id"]
        live = await follower.until(3)
    streams = [e["streamId"] for e in live]
    assert streams == [f"organisation-{a}", f"student-{ana}", f"student-{bea}"]
    assert school_events == live[:2]
