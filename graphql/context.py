"""Per-request context: the services, who is asking, and the request's DataLoaders.

Authentication is a later issue: until then the caller names itself in `X-Actor:
<role>:<id>` (e.g. `coordinator:ana`), and a request without it acts as the local
coordinator, which is what GraphiQL on a developer's machine needs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from uuid import UUID, uuid4

import asyncpg
import strawberry
from bridgework.graphql.live import LiveTail
from bridgework.graphql.loaders import Loaders
from bridgework.graphql.observe import NoObserver, Observer
from bridgework.projections.positions import PositionBeyondHead, PositionWatcher
from bridgework.services.command import text_problem
from bridgework.services.context import Actor, Role
from bridgework.services.ports import EventStore
from bridgework.services.unit_of_work import Deps
from litestar.datastructures import Headers, State
from strawberry.extensions import SchemaExtension
from strawberry.litestar import BaseContext

from graphql import GraphQLError

LOCAL_ACTOR = Actor("local", Role.COORDINATOR)


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
    observer: Observer = field(default_factory=NoObserver)
    """Told about every operation (Prometheus, in the running app)."""


class Context(BaseContext, kw_only=True):
    api: ApiServices
    loaders: Loaders
    actor: Actor
    correlation_id: UUID
    header_problem: str | None = None
    """Why `X-Actor` or `X-Correlation-Id` could not be used: `RefuseBadHeaders` reports it."""

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
    """Refuse every operation whose `X-Actor` or `X-Correlation-Id` is unusable.

    Checked here rather than in the context getter so the caller gets a GraphQL error it can
    read (over HTTP and websockets alike), never a guessed identity or an HTTP 500.
    """

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        problem = getattr(context, "header_problem", None)
        if problem:
            raise GraphQLError(problem, extensions={"code": "BAD_REQUEST_HEADER"})
        yield


MAX_ACTOR_ID = 200


class HeaderError(ValueError):
    """A request header Bridgework reads has a value it cannot use."""


def _usable(name: str, header: str | None) -> str | None:
    """A header's value, refused if it holds control characters (as every string we read)."""
    if header is not None and (problem := text_problem(name, header)) is not None:
        raise HeaderError(problem)
    return header


def parse_actor(header: str | None) -> Actor:
    header = _usable("X-Actor", header)
    if header is None or not header.strip():
        return LOCAL_ACTOR
    role, sep, actor_id = header.strip().partition(":")
    roles = ", ".join(r.value for r in Role)
    if not sep or not actor_id or len(actor_id) > MAX_ACTOR_ID:
        raise HeaderError(
            f"X-Actor must be '<role>:<id>' with an id of at most {MAX_ACTOR_ID} characters"
            f" (roles: {roles})"
        )
    if role not in {r.value for r in Role}:
        raise HeaderError(f"X-Actor role {role!r} is not one of: {roles}")
    return Actor(actor_id, Role(role))


def parse_correlation(header: str | None) -> UUID:
    header = _usable("X-Correlation-Id", header)
    if not header:
        return uuid4()
    try:
        return UUID(header)
    except ValueError:
        raise HeaderError(f"X-Correlation-Id must be a UUID, got {header[:100]!r}") from None


async def context_getter(state: State, headers: Headers) -> Context:
    """Litestar resolves this for HTTP requests and websockets alike."""
    api: ApiServices = state.api
    problem: str | None = None
    try:
        actor = parse_actor(headers.get("x-actor"))
        correlation_id = parse_correlation(headers.get("x-correlation-id"))
    except HeaderError as e:
        actor, correlation_id, problem = LOCAL_ACTOR, uuid4(), str(e)
    return Context(
        api=api,
        loaders=Loaders(api.pool),
        actor=actor,
        correlation_id=correlation_id,
        header_problem=problem,
    )
