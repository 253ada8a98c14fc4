"""Against the real `serve` over real sockets: nothing without a verified identity."""

from __future__ import annotations

import json

import httpx
import pytest
import websockets
from support.api import ORG

SUBSCRIBE = {"query": "subscription { events { position } }"}


def post(server, document, variables=None, **headers):
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": document, "variables": variables or {}},
        headers=headers,
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer forged.token.here"}, {"X-Actor": "coordinator:me"}]
)
def test_a_query_and_a_mutation_without_a_valid_token_are_unauthenticated(server, headers):
    for document, variables in (
        ("{ events { edges { cursor } } }", None),
        (ORG, {"name": "X", "kind": "SCHOOL"}),
    ):
        body = post(server, document, variables, **headers)
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert "errors" not in post(server, "{ events { edges { cursor } } }", **server.headers)


@pytest.mark.parametrize("init", [{}, {"payload": {"authorization": "Bearer forged"}}])
async def test_a_subscription_without_a_valid_token_is_rejected_at_connection_init(server, init):
    async with websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init"} | init))
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": SUBSCRIBE}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_a_subscription_with_a_token_in_connection_init_is_acknowledged(server):
    async with websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps(server.tokens.init(server.authorization)))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
