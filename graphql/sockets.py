"""Who is on each websocket: authenticated in `connection_init`, capped per identity, closed
when the credential expires.

graphql-transport-ws clients send the token in the connection_init payload
(`{"authorization": "Bearer <token>"}`, the same value as the HTTP header; browsers cannot
set headers on a websocket). Without a valid one, or past the identity's cap of open
connections, the connection is rejected with close code 4403 (strawberry's "Forbidden"); a
connection whose token expires is closed with 4401 ("token expired").
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bridgework.graphql.context import identify
from strawberry.exceptions import ConnectionRejectionError

if TYPE_CHECKING:
    from bridgework.graphql.context import Context
    from bridgework.services.identity import Principal
    from litestar import WebSocket

SLOT = "bridgework.websocket"
"""The ASGI scope key under which the connection limit puts each websocket's `Slot`."""
EXPIRED = 4401


class Slot:
    """One open websocket's claim on its identity's share of connections; made and
    released by the process's connection limit (`infra/connections.py`)."""

    def __init__(self, claim: Callable[[str], bool], release: Callable[[str], None]) -> None:
        self._claim = claim
        self._release = release
        self.subject: str | None = None
        self.expiry: asyncio.Task[None] | None = None

    def take(self, subject: str) -> bool:
        if self.subject is None:
            if not self._claim(subject):
                return False
            self.subject = subject
        return True

    def close(self) -> None:
        if self.expiry is not None:
            self.expiry.cancel()
        if self.subject is not None:
            self._release(self.subject)
            self.subject = None


async def _close_when_expired(socket: WebSocket[Any, Any, Any], seconds: float) -> None:
    await asyncio.sleep(seconds)
    with contextlib.suppress(Exception):  # the peer may have gone already
        await socket.close(code=EXPIRED, reason="token expired")


async def connect(context: Context) -> None:
    """strawberry's `on_ws_connect`: the connection's principal, or a rejection."""
    params = context.connection_params or {}
    # Header names are case-insensitive, and clients differ: Apollo sends `Authorization`.
    named = {str(key).lower(): value for key, value in params.items()}
    authorization = named.get("authorization")
    principal: Principal | None = None
    if isinstance(authorization, str):
        principal = await identify(context.api.auth, authorization)
    socket = context.websocket
    if principal is None or socket is None:
        raise ConnectionRejectionError
    slot = socket.scope.get(SLOT)
    if isinstance(slot, Slot):
        if not slot.take(principal.subject):
            raise ConnectionRejectionError
        if principal.expires_at is not None:
            seconds = (principal.expires_at - datetime.now(UTC)).total_seconds()
            slot.expiry = asyncio.create_task(_close_when_expired(socket, max(seconds, 0)))
    context.principal = principal
