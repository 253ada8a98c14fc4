"""Caps on open websocket connections: per process, and per identity.

Each open subscription holds memory and a place in the live tail; past the cap a new
websocket is accepted only to be closed at once with 1013 ("try again later") and a reason a
client can show, so a load balancer or the client's backoff sends it elsewhere or later.
Who is on a websocket is known only after its connection_init: each websocket gets a `Slot`
in its scope, which `graphql/sockets.py` claims for the identity (or rejects), and which is
released here when the websocket ends.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from bridgework.graphql.sockets import SLOT, Slot
from litestar.enums import ScopeType

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

TRY_AGAIN_LATER = 1013


class WebsocketLimit:
    """ASGI middleware factory: `Litestar(middleware=[WebsocketLimit(100, 20)])`."""

    def __init__(self, limit: int, per_identity: int | None = None) -> None:
        self.limit = limit
        self.per_identity = per_identity or limit
        self.by_identity: Counter[str] = Counter()
        self.open = 0
        """Websockets open now (for metrics)."""
        self.refused = 0

    def __call__(self, app: ASGIApp) -> ASGIApp:
        async def limited(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.WEBSOCKET:
                await app(scope, receive, send)
                return
            if self.open >= self.limit:
                self.refused += 1
                await self._refuse(scope, receive, send)
                return
            self.open += 1
            slot = Slot(self._claim, self._release)
            scope[SLOT] = slot  # type: ignore[literal-required]
            try:
                await app(scope, receive, send)
            finally:
                slot.close()
                self.open -= 1

        return limited

    def _claim(self, subject: str) -> bool:
        if self.by_identity[subject] >= self.per_identity:
            self.refused += 1
            return False
        self.by_identity[subject] += 1
        return True

    def _release(self, subject: str) -> None:
        self.by_identity[subject] -= 1
        if self.by_identity[subject] <= 0:
            del self.by_identity[subject]

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        accept: dict[str, Any] = {"type": "websocket.accept"}
        protocols: list[str] = list(scope.get("subprotocols") or [])  # type: ignore[call-overload]
        if protocols:  # answer with one, so the client reads the close rather than a mismatch
            accept["subprotocol"] = protocols[0]
        await send(accept)  # type: ignore[arg-type]
        await send(
            {
                "type": "websocket.close",
                "code": TRY_AGAIN_LATER,
                "reason": f"too many websocket connections (at most {self.limit}); retry later",
            }
        )
