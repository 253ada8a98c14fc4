"""The security headers on every response, as `ProtectionSettings`
(`infra/protection_settings.py`) switch them."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING

from bridgework.graphql.exposure import Exposure, TokenBuckets
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from strawberry.http.ides import get_graphql_ide_html

if TYPE_CHECKING:
    from bridgework.infra.protection_settings import ProtectionSettings
    from litestar.types import ASGIApp, Message, Receive, Scope, Send


def exposure(settings: ProtectionSettings) -> Exposure:
    """What the GraphQL layer enforces (one bucket per identity for this process)."""
    buckets = TokenBuckets(settings.mutations_per_minute, settings.mutation_burst)
    return Exposure(introspection=settings.introspection, mutations=buckets)


def _inline_hashes(html: str, tag: str) -> str:
    bodies = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.DOTALL)
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in bodies
    )


_LOCKED = "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
STRICT_CSP = f"default-src 'none'; {_LOCKED}"
"""Every answer but the GraphiQL page: JSON needs nothing loaded, framed or submitted."""
_IDE = get_graphql_ide_html(graphql_ide="graphiql")
GRAPHIQL_CSP = (
    f"default-src 'none'; script-src {_inline_hashes(_IDE, 'script')} https://unpkg.com; "
    "style-src 'unsafe-inline' https://unpkg.com; font-src data: https://unpkg.com; "
    f"img-src 'self' data:; connect-src 'self'; {_LOCKED}"
)
"""strawberry's GraphiQL page: its scripts and styles from unpkg.com (pinned by integrity
hashes in the page), its own inline script by hash, GraphQL over HTTP and websockets to this
origin."""
HSTS = "max-age=31536000"


class SecurityHeaders:
    """ASGI middleware factory around the whole app (`app.asgi_handler`, outside routing and
    the exception handlers): every HTTP response, whichever handler (or none) answered, gets
    the standard headers; what a handler set itself is kept, except that every /graphql answer
    is `Cache-Control: no-store` (it holds personal data). Runs on the event loop (a sync
    `before_send` hook costs a worker-thread hop per message); websockets pass untouched."""

    def __init__(self, settings: ProtectionSettings) -> None:
        self.graphiql = settings.graphiql
        self.always = {
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
            "x-frame-options": "DENY",
        } | ({"strict-transport-security": HSTS} if settings.https else {})

    def __call__(self, app: ASGIApp) -> ASGIApp:
        async def protected(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            graphql = scope["path"].rstrip("/") == "/graphql"

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    self.add(message, graphql=graphql)
                await send(message)

            await app(scope, receive, send_with_headers)

        return protected

    def add(self, message: Message, *, graphql: bool) -> None:
        """Sets the headers on an `http.response.start` message."""
        headers = MutableScopeHeaders.from_message(message)
        for name, value in self.always.items():
            if name not in headers:
                headers[name] = value
        page = self.graphiql and graphql and headers.get("content-type", "").startswith("text/html")
        if "content-security-policy" not in headers:
            headers["content-security-policy"] = GRAPHIQL_CSP if page else STRICT_CSP
        if graphql:
            headers["cache-control"] = "no-store"
