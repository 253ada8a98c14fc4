"""Policies of plain HTTP routes (GraphQL's are `graphql/policy.py`): a route names its guard,
and a route without one serves everyone, so only the public documents (health, the issuer's
keys, the supervisor's link page, whose token is the capability) go without."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bridgework.graphql.context import identify
from litestar.exceptions import NotAuthorizedException

if TYPE_CHECKING:
    from bridgework.graphql.context import ApiServices
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler

CHALLENGE = {"WWW-Authenticate": "Bearer"}


async def authenticated(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Any authenticated identity (a token or an API key, of any role); 401 otherwise (the
    reason goes to the log, never to the caller)."""
    api: ApiServices = connection.app.state.api
    if await identify(api.auth, connection.headers.get("authorization")) is None:
        raise NotAuthorizedException("not authenticated", headers=CHALLENGE)
