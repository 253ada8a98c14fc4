"""GraphQL over real sockets with a real client library (gql): HTTP and graphql-transport-ws."""

from __future__ import annotations

import asyncio

import pytest
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport
from support.serve import Serve

REGISTER = """mutation($name: String!) {
  registerOrganization(input: {name: $name, kind: SCHOOL}) {
    ... on OrganizationRegistered { id position } } }"""
EVENTS = """subscription($after: String) {
  events(after: $after, types: ["OrganisationRegistered"]) { position payload cursor } }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Serve(tmp_path_factory.mktemp("serve")) as running:
        yield running


async def test_a_websocket_subscription_over_a_real_socket_sees_what_http_writes(server):
    http = Client(transport=HTTPXAsyncTransport(url=f"{server.url}/graphql"))
    ws = Client(transport=WebsocketsTransport(url=server.ws_url))
    async with http as writer, ws as reader:
        first = await writer.execute(GraphQLRequest(REGISTER, variable_values={"name": "Before"}))
        seen = reader.subscribe(GraphQLRequest(EVENTS, variable_values={"after": None}))
        caught_up = await asyncio.wait_for(anext(seen), 30)
        assert caught_up["events"]["position"] == first["registerOrganization"]["position"]
        live = await writer.execute(GraphQLRequest(REGISTER, variable_values={"name": "Live"}))
        followed = await asyncio.wait_for(anext(seen), 30)
        assert followed["events"]["position"] == live["registerOrganization"]["position"]
        assert followed["events"]["payload"]["name"] == "Live"
        await seen.aclose()
