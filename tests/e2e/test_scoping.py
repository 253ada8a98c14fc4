"""Against the real `serve` over real sockets: a school's coordinator reads only its own
students, creates an API key for its school, and an integration holding that key follows
only the school's events over a websocket (HTTP with gql, graphql-transport-ws with gql);
the log's filters (actor, correlation id, time) over HTTP stay within the caller's scope;
a student's `history` pages by cursor and is redacted for a caller not granted personal data."""

from __future__ import annotations

from uuid import UUID

import pytest
from bridgework.services.identity import Role
from gql.transport.exceptions import TransportQueryError
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


FILTERED = """query($actor: String, $correlationId: ID, $from: DateTime) {
  events(first: 1000, actor: $actor, correlationId: $correlationId, from: $from) {
  edges { node { streamId recordedAt metadata { actor correlationId } } } } }"""


async def test_the_log_filters_by_actor_correlation_and_time_within_the_callers_scope(server):
    async with server.http() as admin:
        f = (await payload(admin, ORG, name="Fir School", kind="SCHOOL"))["id"]
    of_f = server.tokens.bearer(
        Role.COORDINATOR, organisations=frozenset({UUID(f)}), subject="fir-coordinator"
    )
    async with server.http(of_f) as coordinator:
        fay = (await payload(coordinator, STUDENT_AT, name="Fay Fir", school=f))["id"]
        by_me = await run(coordinator, FILTERED, actor="coordinator:fir-coordinator")
        [mine] = [e["node"] for e in by_me["events"]["edges"]]
        assert mine["streamId"] == f"student-{fay}"
        action = {"correlationId": mine["metadata"]["correlationId"]}
        assert len((await run(coordinator, FILTERED, **action))["events"]["edges"]) == 1
        since = (await run(coordinator, FILTERED, **{"from": mine["recordedAt"]}))["events"]
        assert [e["node"]["streamId"] for e in since["edges"]] == [f"student-{fay}"]
        with pytest.raises(TransportQueryError) as refused:
            await run(coordinator, FILTERED, correlationId="not-an-id")
        assert refused.value.errors is not None
        assert refused.value.errors[0]["message"].startswith("correlationId: ")
    other = server.tokens.bearer(Role.COORDINATOR, organisations=frozenset())
    async with server.http(other) as nobody:  # a coordinator of no organisation
        assert (await run(nobody, FILTERED, **action))["events"]["edges"] == []


HISTORY = """query($id: ID!, $after: String, $at: Int) { student(id: $id, atLeast: $at) {
  history(first: 1, after: $after) { nodes { type summary actor redacted }
  pageInfo { hasNextPage endCursor } } } }"""
CONSENT = """mutation($input: RecordGuardianConsentInput!) { recordGuardianConsent(input: $input) {
  __typename ... on ConsentRecorded { position } } }"""


async def test_a_students_history_pages_and_is_redacted_for_a_caller_not_granted(server):
    async with server.http() as admin:
        h = (await payload(admin, ORG, name="Hazel School", kind="SCHOOL"))["id"]
        hal = (await payload(admin, STUDENT_AT, name="Hal Hazel", school=h))["id"]
        consent = {"studentId": hal, "guardianName": "Hope Hazel", "relationship": "aunt"}
        recorded = await payload(admin, CONSENT, input=consent | {"givenOn": "2026-09-01"})
        # the views follow the log: read once they include the consent
        first = (await run(admin, HISTORY, id=hal, at=recorded["position"]))["student"]["history"]
        assert [n["summary"] for n in first["nodes"]] == ["Registered as a student"]
        assert first["pageInfo"]["hasNextPage"]
        after = first["pageInfo"]["endCursor"]
        second = (await run(admin, HISTORY, id=hal, after=after))["student"]["history"]
        assert second["nodes"][0]["summary"] == "Guardian consent recorded (Hope Hazel, aunt)"
    async with server.http(server.tokens.bearer(Role.AUDITOR)) as auditor:
        theirs = (await run(auditor, HISTORY, id=hal, after=after))["student"]["history"]
        [line] = theirs["nodes"]
        assert line["summary"] == "Guardian consent recorded"
        assert line["redacted"]
        assert line["actor"] == second["nodes"][0]["actor"]
