"""Over real sockets against the real `serve`: a PostgreSQL restart is a pause for a live
subscription, never a gap, a repeat or an error."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport
from support.serve import Serve, environment

REGISTER = """mutation($name: String!, $key: String!) {
  registerOrganization(input: {name: $name, kind: SCHOOL, idempotencyKey: $key}) {
    ... on OrganizationRegistered { position } } }"""
STUDENT = """mutation($name: String!, $key: String!) {
  registerStudent(input: {name: $name, idempotencyKey: $key}) {
    ... on StudentRegistered { position } } }"""
EVERYTHING = "subscription { events { position cursor } }"
ORGANISATIONS = 'subscription { events(types: ["OrganisationRegistered"]) { position } }'
LISTED = """query($after: String, $types: [String!]) {
  events(first: 500, after: $after, types: $types) {
    edges { cursor node { position } } pageInfo { hasNextPage } } }"""
DEADLINE = 90.0


async def until(condition, deadline=DEADLINE):
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"not true within {deadline} s")
        await asyncio.sleep(0.05)


async def write(http, query: str, name: str) -> int:
    """One mutation, retried (with the same idempotency key) until the database is back."""
    key, end = str(uuid.uuid4()), time.monotonic() + DEADLINE
    while True:
        try:
            result = await http.execute(
                GraphQLRequest(query, variable_values={"name": name, "key": key})
            )
            return next(iter(result.values()))["position"]
        except Exception:
            if time.monotonic() > end:
                raise
            await asyncio.sleep(0.1)


async def listed(http, types=None) -> list[int]:
    positions, after = [], None
    while True:
        page = (
            await http.execute(
                GraphQLRequest(LISTED, variable_values={"after": after, "types": types})
            )
        )["events"]
        positions += [e["node"]["position"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return positions
        after = page["edges"][-1]["cursor"]


async def follow(ws, query: str, into: list[int]) -> None:
    async for result in ws.subscribe(GraphQLRequest(query)):
        into.append(result["events"]["position"])  # noqa: PERF401 - as each one arrives


@pytest.fixture
def postgres(private_postgres):
    private_postgres.create_database()
    return private_postgres


@pytest.mark.slow
async def test_live_subscriptions_see_every_event_exactly_once_across_a_database_restart(
    postgres, tmp_path
):
    env = environment(DATABASE_URL=postgres.url("bridgework"))
    with Serve(tmp_path / "data", env=env) as server:
        http_transport = HTTPXAsyncTransport(
            url=f"{server.url}/graphql", headers=server.headers, timeout=30
        )
        http_client = Client(transport=http_transport)
        authorised = {"authorization": server.authorization}
        ws_transport = WebsocketsTransport(url=server.ws_url, init_payload=authorised)
        ws_client = Client(transport=ws_transport, execute_timeout=None)
        async with http_client as http, ws_client as ws:
            everything, organisations = [], []
            followers = [
                asyncio.create_task(follow(ws, EVERYTHING, everything)),
                asyncio.create_task(follow(ws, ORGANISATIONS, organisations)),
            ]
            for i in range(5):
                await write(http, REGISTER, f"Before {i}")
                await write(http, STUDENT, f"Student before {i}")
            await until(lambda: len(everything) >= 10)

            restart = asyncio.create_task(asyncio.to_thread(postgres.restart, 1.0))
            during = 0
            while not restart.done():
                await write(http, REGISTER if during % 2 else STUDENT, f"During {during}")
                during += 1
            await restart
            for i in range(5):
                await write(http, REGISTER, f"After {i}")
                await write(http, STUDENT, f"Student after {i}")

            expected = await listed(http)
            expected_organisations = await listed(http, ["OrganisationRegistered"])
            await until(lambda: len(everything) >= len(expected))
            await until(lambda: len(organisations) >= len(expected_organisations))
            await asyncio.sleep(0.5)  # a repeat would arrive now
            assert everything == expected
            assert organisations == expected_organisations
            assert len(expected) >= 20 + during
            for f in followers:
                assert not f.done()  # never ended, never errored
                f.cancel()
            await asyncio.gather(*followers, return_exceptions=True)

            async def listening() -> bool:
                async with httpx.AsyncClient() as client:
                    return (
                        (await client.get(f"{server.url}/ready", timeout=10))
                        .json()
                        .get("listening", False)
                    )

            end = time.monotonic() + DEADLINE
            while not await listening():
                assert time.monotonic() < end, "LISTEN did not come back"
                await asyncio.sleep(0.1)
    output = server.output()
    assert "lost the LISTEN connection" in output
    assert "LISTEN is back" in output
