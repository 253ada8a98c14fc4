"""The local issuer's public documents: its JWKS and a discovery document pointing at it,
so another service can verify the tokens Bridgework signs. Both 404 when an external
issuer is configured (Bridgework then signs nothing that anyone should trust)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bridgework.infra.auth.issuer import openid_configuration
from litestar import Request, get
from litestar.exceptions import NotFoundException

if TYPE_CHECKING:
    from bridgework.infra.auth.issuer import LocalIssuer
    from litestar.datastructures import State

CACHE = {"Cache-Control": "public, max-age=300"}
"""Short: a rotated-in key is published at once, and verifiers refetch on an unknown kid."""


def _issuer(state: State) -> LocalIssuer:
    issuer: LocalIssuer | None = state.issuer
    if issuer is None:
        raise NotFoundException("tokens come from the configured external issuer")
    return issuer


@get("/.well-known/jwks.json", response_headers=CACHE, sync_to_thread=False)
def jwks(state: State) -> dict[str, Any]:
    """The public keys of Bridgework's own issuer (RFC 7517)."""
    return _issuer(state).jwks()


@get("/.well-known/openid-configuration", response_headers=CACHE, sync_to_thread=False)
def discovery(state: State, request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Where Bridgework's own issuer publishes its keys (OpenID Connect Discovery)."""
    issuer = _issuer(state)
    return openid_configuration(issuer.issuer, str(request.base_url))
