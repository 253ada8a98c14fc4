"""GraphQL over real sockets with a real client library (gql): HTTP and graphql-transport-ws,
and bad input over both, refused naming the field and changing nothing."""

from __future__ import annotations

import asyncio

import pytest
from gql import GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from support.api import PROGRAM, program_input
from support.serve import FOLLOW, form_partnership, read_log, run

REGISTER = """mutation($name: String!) {
  registerOrganization(input: {name: $name, kind: SCHOOL}) {
    ... on OrganizationRegistered { id position } } }"""
EVENTS = """subscription($after: String) {
  events(after: $after, types: ["OrganisationRegistered"]) { position payload cursor } }"""


async def test_a_websocket_subscription_over_a_real_socket_sees_what_http_writes(server, http):
    async with server.websocket() as reader:
        first = await run(http, REGISTER, name="Before")
        seen = reader.subscribe(GraphQLRequest(EVENTS, variable_values={"after": None}))
        caught_up = await asyncio.wait_for(anext(seen), 30)
        assert caught_up["events"]["position"] == first["registerOrganization"]["position"]
        live = await run(http, REGISTER, name="Live")
        followed = await asyncio.wait_for(anext(seen), 30)
        assert followed["events"]["position"] == live["registerOrganization"]["position"]
        assert followed["events"]["payload"]["name"] == "Live"
        await seen.aclose()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"name": ""}, "name"),
        ({"partnershipId": "not-an-id"}, "partnershipId"),
    ],
)
async def test_a_bad_mutation_input_over_http_is_a_validation_error_naming_the_field(
    http, changes, field
):
    partnership = await form_partnership(http, f"Validation {field}")
    before = await read_log(http)
    answer = await run(http, PROGRAM, input=program_input(partnership, **changes))
    result = answer["launchProgram"]
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == field
    assert field in result["message"]
    assert await read_log(http) == before


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"after": "not-a-cursor"}, "after"),
        ({"after": None, "types": [""]}, "types[0]"),
    ],
)
async def test_a_subscription_with_a_bad_argument_is_refused_naming_it(
    server, http, variables, named
):
    before = await read_log(http)
    async with server.websocket() as ws:
        stream = ws.subscribe(GraphQLRequest(FOLLOW, variable_values=variables))
        with pytest.raises(TransportQueryError) as refused:
            await asyncio.wait_for(anext(stream), 30)
    assert str(refused.value.errors[0]["message"]).startswith(f"{named}: ")
    assert await read_log(http) == before
