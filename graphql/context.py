"""Per-request context: the services, who is asking (verified), and the request's DataLoaders.

The caller is whoever the `Authorization` header's bearer token or API key says (over a
websocket: the `authorization` of the connection_init payload, see `schema.py`). A request
without a valid one gets one UNAUTHENTICATED error and nothing else, for every operation,
introspection included (GraphiQL sends the headers pasted into it).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from uuid import UUID, uuid4

import asyncpg
import strawberry
from bridgework.graphql.live import LiveTail
from bridgework.graphql.loaders import Loaders
from bridgework.graphql.observe import NoObserver, Observer
from bridgework.graphql.policy import only_link_fields
from bridgework.projections.asof import AsOfViews, Lease
from bridgework.projections.positions import PositionBeyondHead, PositionWatcher
from bridgework.services.command import text_problem
from bridgework.services.identity import Authenticator, Principal, Unauthenticated
from bridgework.services.ports import EventStore
from bridgework.services.unit_of_work import Deps
from litestar.datastructures import Headers, State
from strawberry.extensions import SchemaExtension
from strawberry.litestar import BaseContext

from graphql import GraphQLError

log = logging.getLogger("bridgework.auth")

UNAUTHENTICATED = "UNAUTHENTICATED"


@dataclass(frozen=True)
class ApiServices:
    """What the API needs from the process: set on `app.state.api` by the app's lifespan."""

    pool: asyncpg.Pool
    store: EventStore
    deps: Deps
    read_wait_seconds: float
    positions: PositionWatcher
    """Read-your-writes: one watcher of the projections' checkpoints for every request."""
    live: LiveTail
    """One reader of the log's head shared by every live subscription."""
    auth: Authenticator
    """Verifies a request's `Authorization` value (infra/auth in the running app)."""
    observer: Observer = field(default_factory=NoObserver)
    """Told about every operation (Prometheus, in the running app)."""
    as_of: AsOfViews | None = None
    """The read models as of past moments (`asOf`); None: not served."""


class Context(BaseContext, kw_only=True):
    api: ApiServices
    loaders: Loaders
    principal: Principal | None
    """The verified caller; None refuses every operation (`RefuseBadHeaders`)."""
    correlation_id: UUID
    """Made by the server for this request (or websocket connection)."""
    client_correlation_id: str | None = None
    """The client's `X-Correlation-Id`, kept beside ours and marked as the client's."""
    header_problem: str | None = None
    """Why `X-Correlation-Id` could not be used: `RefuseBadHeaders` reports it."""
    connection_params: dict[str, object] | None = None
    """A websocket's connection_init payload (`sockets.connect` reads it)."""
    as_of: Lease | None = None
    """Set by `asOf`: the request reads the read models as they stood then."""

    @property
    def reads(self) -> asyncpg.Pool:
        """Where every read model is read: the live tables, or under `asOf` its scratch
        schema's (the log itself is in `public`, which both see)."""
        return self.api.pool if self.as_of is None else self.as_of.reader

    @property
    def caller(self) -> Principal:
        """The verified principal (every operation without one is refused before it runs)."""
        if self.principal is None:
            raise GraphQLError("not authenticated", extensions={"code": UNAUTHENTICATED})
        return self.principal

    async def see_at_least(self, position: int | None) -> None:
        """Read-your-writes: wait until the projections include `position`, or refuse."""
        if position is None:
            return
        if position < 0:
            raise GraphQLError(
                f"atLeast must be a log position (0 or more), got {position}",
                extensions={"code": "BAD_USER_INPUT", "field": "atLeast"},
            )
        api = self.api
        try:
            reached = await api.positions.wait(position, api.read_wait_seconds)
        except PositionBeyondHead as e:
            raise GraphQLError(
                f"atLeast: {e}; pass a position a mutation returned",
                extensions={"code": "BAD_USER_INPUT", "field": "atLeast", "head": e.head},
            ) from None
        if not reached:
            raise GraphQLError(
                f"the views have not caught up with position {position} yet; retry shortly",
                extensions={"code": "NOT_CAUGHT_UP", "position": position},
            )


Info = strawberry.Info[Context, None]


class RefuseBadHeaders(SchemaExtension):
    """Refuse every operation of a caller with no verified identity (UNAUTHENTICATED: one
    error, no data) or with an unusable `X-Correlation-Id` (BAD_REQUEST_HEADER).

    The identity is checked when the operation starts, before the document is even parsed,
    so an unauthenticated caller learns nothing of the schema from validation errors (a
    websocket's operations always have one: `sockets.connect`). The one exception is an
    operation made only of fields a link's token authorises (`policy.LINK`: a supervisor has
    no account). Either way the caller gets a GraphQL error it can read, never an HTTP 500.
    """

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if getattr(context, "principal", None) is None and not only_link_fields(
            self.execution_context.query, self.execution_context.operation_name
        ):
            raise GraphQLError(
                "a valid bearer token or API key is required (Authorization: Bearer …)",
                extensions={"code": UNAUTHENTICATED},
            )
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        # here rather than at the start: a subscription must fail with an error, not crash
        problem = getattr(self.execution_context.context, "header_problem", None)
        if problem:
            raise GraphQLError(problem, extensions={"code": "BAD_REQUEST_HEADER"})
        yield


MAX_CORRELATION_ID = 200


class HeaderError(ValueError):
    """A request header Bridgework reads has a value it cannot use."""


def client_correlation(header: str | None) -> str | None:
    """The client's correlation id as sent (any text, not only a UUID), refused if it holds
    control characters (as every string we read) or is too long."""
    if not header:
        return None
    if (problem := text_problem("X-Correlation-Id", header)) is not None:
        raise HeaderError(problem)
    if len(header) > MAX_CORRELATION_ID:
        raise HeaderError(f"X-Correlation-Id must be at most {MAX_CORRELATION_ID} characters")
    return header


async def identify(auth: Authenticator, authorization: str | None) -> Principal | None:
    """The verified principal, or None (the reason goes to the log, never to the caller)."""
    if authorization is None:
        return None
    try:
        return await auth.authenticate(authorization)
    except Unauthenticated as e:
        log.info("refused credentials: %s", e.reason)
        return None


async def context_getter(state: State, headers: Headers) -> Context:
    """Litestar resolves this for HTTP requests and websockets alike (a websocket's
    identity is then set from its connection_init payload)."""
    api: ApiServices = state.api
    problem: str | None = None
    try:
        client = client_correlation(headers.get("x-correlation-id"))
    except HeaderError as e:
        client, problem = None, str(e)
    return Context(
        api=api,
        loaders=Loaders(api.pool),
        principal=await identify(api.auth, headers.get("authorization")),
        correlation_id=uuid4(),
        client_correlation_id=client,
        header_problem=problem,
    )
