"""A cap on open websocket connections per process.

Each open subscription holds memory and a place in the live tail; past the cap a new
websocket is accepted only to be closed at once with 1013 ("try again later") and a reason a
client can show, so a load balancer or the client's backoff sends it elsewhere or later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.enums import ScopeType

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

TRY_AGAIN_LATER = 1013


class WebsocketLimit:
    """ASGI middleware factory: `Litestar(middleware=[WebsocketLimit(100)])`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
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
            try:
                await app(scope, receive, send)
            finally:
                self.open -= 1

        return limited

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
