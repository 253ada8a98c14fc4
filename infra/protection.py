"""Production mode, the mutation rate limit and the security headers on every response
(`BRIDGEWORK_ENV`, `BRIDGEWORK_GRAPHIQL`, `BRIDGEWORK_INTROSPECTION`, `BRIDGEWORK_HTTPS`,
`BRIDGEWORK_MUTATIONS_PER_MINUTE`, `BRIDGEWORK_MUTATION_BURST`)."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridgework.graphql.exposure import Exposure, TokenBuckets
from bridgework.infra.env import flag, one_of, positive_int, read
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from strawberry.http.ides import get_graphql_ide_html

if TYPE_CHECKING:
    from collections.abc import Mapping

    from litestar.types import ASGIApp, Message, Receive, Scope, Send

ENVIRONMENTS = ("development", "production")


@dataclass(frozen=True, kw_only=True)
class ProtectionSettings:
    environment: str = "development"
    graphiql: bool = True
    """GraphiQL at GET /graphql; off in production unless `BRIDGEWORK_GRAPHIQL=true`."""
    introspection: bool = True
    """`__schema` and `__type`; off in production unless `BRIDGEWORK_INTROSPECTION=true`."""
    https: bool = False
    """Served behind TLS: responses carry `Strict-Transport-Security`."""
    mutations_per_minute: int = 600
    """Per identity and per process (each process of several enforces its own)."""
    mutation_burst: int = 600
    """Mutations one identity may send at once before the per-minute rate applies."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ProtectionSettings:
        d = cls()
        environment = read(
            env, "BRIDGEWORK_ENV", d.environment, one_of(ENVIRONMENTS), "development or production"
        )
        development = environment == "development"
        return cls(
            environment=environment,
            graphiql=read(env, "BRIDGEWORK_GRAPHIQL", development, flag, "true or false"),
            introspection=read(env, "BRIDGEWORK_INTROSPECTION", development, flag, "true or false"),
            https=read(env, "BRIDGEWORK_HTTPS", d.https, flag, "true or false"),
            mutations_per_minute=read(
                env,
                "BRIDGEWORK_MUTATIONS_PER_MINUTE",
                d.mutations_per_minute,
                positive_int,
                "a whole number > 0",
            ),
            mutation_burst=read(
                env,
                "BRIDGEWORK_MUTATION_BURST",
                d.mutation_burst,
                positive_int,
                "a whole number > 0",
            ),
        )

    def exposure(self) -> Exposure:
        """What the GraphQL layer enforces (one bucket per identity for this process)."""
        buckets = TokenBuckets(self.mutations_per_minute, self.mutation_burst)
        return Exposure(introspection=self.introspection, mutations=buckets)


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
