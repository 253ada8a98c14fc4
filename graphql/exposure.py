"""What the API shows and how fast it lets one caller change things: introspection on or off,
and a token bucket per identity for mutations.

The composition root decides (production mode turns introspection off) and puts an `Exposure`
on the app's state (`app.state.exposure`); `GuardExposure` reads it from the request. An app
without one (a schema run on its own) is in development mode: introspection on, no limit.

Codes: INTROSPECTION_DISABLED (a document asks for `__schema` or `__type`; `__typename` is
fine), RATE_LIMITED (`retryable: true`, `retryAfter` seconds; over HTTP also status 429 and a
`Retry-After` header; `retryable: false` for one request of more commands than the burst).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar import Response
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    NoSchemaIntrospectionCustomRule,
    get_operation_ast,
    validate,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from strawberry.types import ExecutionContext

    from graphql import SelectionNode

INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
RATE_LIMITED = "RATE_LIMITED"
TOO_MANY_REQUESTS = 429
MAX_BUCKETS = 10_000
"""Past this many identities, buckets that have filled up again (idle callers) are dropped."""


class TokenBuckets:
    """A bucket of `burst` tokens per key, refilled at `per_minute` a minute; an admitted
    call takes its cost. In-process: several processes each enforce their own."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        """key -> (tokens, when they were counted)"""
        self._prune_above = MAX_BUCKETS

    def take(self, key: str, cost: int = 1, *, now: float | None = None) -> float:
        """0 if the call is admitted (`cost` tokens taken); else the seconds until there are
        enough (`cost` at most `burst`)."""
        now = time.monotonic() if now is None else now
        tokens, then = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if tokens >= cost:
            self._buckets[key] = (tokens - cost, now)
            if len(self._buckets) > self._prune_above:
                self._forget_full(now)
                # If most are busy, look again only once there are twice as many.
                self._prune_above = max(MAX_BUCKETS, 2 * len(self._buckets))
            return 0.0
        self._buckets[key] = (tokens, now)
        return (cost - tokens) / self.rate

    def __len__(self) -> int:
        """Identities remembered now."""
        return len(self._buckets)

    def _forget_full(self, now: float) -> None:
        full = [
            key
            for key, (tokens, then) in self._buckets.items()
            if tokens + (now - then) * self.rate >= self.burst
        ]
        for key in full:
            del self._buckets[key]


@dataclass(frozen=True)
class Exposure:
    introspection: bool = True
    mutations: TokenBuckets | None = None
    """None: mutations are not limited."""


DEVELOPMENT = Exposure()


def _connection(context: object) -> Any:
    """The HTTP request or the websocket the operation came over (None: neither)."""
    return getattr(context, "request", None) or getattr(context, "websocket", None)


def exposure_of(context: object) -> Exposure:
    """The app's `Exposure`, from the connection in the context."""
    app = getattr(_connection(context), "app", None)
    return app.state.get("exposure", DEVELOPMENT) if app is not None else DEVELOPMENT


def identity_key(context: Any) -> str:
    """Whose bucket a mutation takes from: the verified principal once the context has one,
    until then a hash of the Authorization header, else the client's address."""
    principal = getattr(context, "principal", None)
    if principal is not None:
        return f"principal:{principal.subject}"
    connection = _connection(context)
    authorization = connection.headers.get("authorization") if connection is not None else None
    if authorization:
        return "authorization:" + hashlib.sha256(authorization.encode()).hexdigest()
    client = getattr(connection, "client", None)
    return f"address:{client.host if client is not None else 'unknown'}"


class GuardExposure(SchemaExtension):
    """Refuses introspection when it is off and mutations past the caller's rate."""

    def on_validate(self) -> Iterator[None]:
        # Before validation: strawberry acts on validation errors inside its validation step,
        # and errors set here also skip the remaining rules (the answer is this refusal).
        context = self.execution_context
        query, document = context.query, context.graphql_document
        # `__type` also matches `__typename`: only a cheap filter before the real rule.
        if (
            document is not None
            and query is not None
            and ("__type" in query or "__schema" in query)
            and not exposure_of(context.context).introspection
        ):
            schema = context.schema._schema  # noqa: SLF001 - graphql-core's schema under strawberry's
            refused = validate(schema, document, [NoSchemaIntrospectionCustomRule])
            for error in refused:
                error.extensions = {"code": INTROSPECTION_DISABLED}
            if refused:
                context.pre_execution_errors = refused
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.operation_type is OperationType.MUTATION:
            buckets = exposure_of(context.context).mutations
            if buckets is not None:
                _limit(buckets, context)
        yield


def _limit(buckets: TokenBuckets, context: ExecutionContext) -> None:
    """Each root field of a mutation is a command: a document of several takes as many."""
    cost = commands_in(context)
    if cost > buckets.burst:
        raise GraphQLError(
            f"One request may make at most {int(buckets.burst)} changes; send them in several.",
            extensions={"code": RATE_LIMITED, "retryable": False},
        )
    if wait := buckets.take(identity_key(context.context), cost):
        _refuse(context.context, math.ceil(wait))


def commands_in(context: ExecutionContext) -> int:
    """The root fields of the operation to run, fragments included."""
    document = context.graphql_document
    operation = get_operation_ast(document, context.operation_name) if document else None
    if document is None or operation is None:
        return 1
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return max(1, _fields(operation.selection_set.selections, fragments))


def _fields(
    selections: Iterable[SelectionNode], fragments: dict[str, FragmentDefinitionNode]
) -> int:
    """Fields among `selections`, through fragments. A module function, not a closure that
    calls itself: that closure refers to itself through its cell, a reference cycle on every
    mutation that only the garbage collector frees. (Validation has refused fragment cycles.)"""
    count = 0
    for selection in selections:
        if isinstance(selection, FieldNode):
            count += 1
        elif isinstance(selection, InlineFragmentNode):
            count += _fields(selection.selection_set.selections, fragments)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            count += _fields(fragments[selection.name.value].selection_set.selections, fragments)
    return count


def _refuse(context: object, retry_after: int) -> None:
    response = getattr(context, "response", None)
    if isinstance(response, Response):  # HTTP; over a websocket the error alone says it
        response.status_code = TOO_MANY_REQUESTS
        response.headers["Retry-After"] = str(retry_after)
    raise GraphQLError(
        f"Too many changes in a short time; retry in {retry_after} s.",
        extensions={"code": RATE_LIMITED, "retryable": True, "retryAfter": retry_after},
    )
