"""Every GraphQL error a client sees has `extensions.code`, and server faults reach it only in
our own words.

Codes: BAD_USER_INPUT (an argument or variable the API cannot use), GRAPHQL_PARSE_FAILED,
GRAPHQL_VALIDATION_FAILED (the depth, token and alias limits included), QUERY_TOO_COMPLEX,
NOT_FOUND, FORBIDDEN, NOT_CAUGHT_UP, BAD_REQUEST_HEADER; and for faults on our side
UNAVAILABLE (`retryable: true`: the database is down, out of room or shutting down) and
INTERNAL (anything else). Those two carry the request's `correlationId` instead of the
exception's text, which goes to the log, with its traceback, once.

strawberry hands every result's errors, whatever the transport or the phase, to
`Schema.process_errors` before they are sent; the schema calls `publish()` there.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bridgework.graphql.errors import BAD_USER_INPUT
from bridgework.projections.faults import is_transient, timed_out
from bridgework.services.errors import Forbidden, InvalidInput, NotFound
from litestar import Request, Response
from litestar.status_codes import HTTP_400_BAD_REQUEST
from strawberry.extensions import SchemaExtension

from graphql import GraphQLError, GraphQLSyntaxError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from strawberry.types import ExecutionContext

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
NOT_FOUND = "NOT_FOUND"
FORBIDDEN = "FORBIDDEN"
UNAVAILABLE = "UNAVAILABLE"
INTERNAL = "INTERNAL"
SERVER_FAULTS = frozenset({UNAVAILABLE, INTERNAL})

_EXPECTED = ((NotFound, NOT_FOUND), (InvalidInput, BAD_USER_INPUT), (Forbidden, FORBIDDEN))
"""Service errors a query's resolver may raise: the caller's doing, not ours."""

log = logging.getLogger("bridgework.graphql")


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` is a database failure that retrying later may cure: an outage, or a
    statement that ran out of time."""
    return is_transient(exc) or timed_out(exc)


def code_of(error: GraphQLError) -> str:
    """The code of an error as graphql-core or a resolver raised it."""
    given = (error.extensions or {}).get("code")
    if isinstance(given, str):
        return given
    if isinstance(error, GraphQLSyntaxError):  # the token limit stops the parser too
        return VALIDATION_FAILED if "tokens" in error.message else PARSE_FAILED
    original = error.original_error
    if error.path is None and (original is None or error.message.startswith("Variable '$")):
        # Validation errors have their code already (`ValidationCodes`): what is left before
        # execution is a variable that does not fit its type, or an operation name the
        # document does not have.
        return BAD_USER_INPUT
    if original is None:
        return INTERNAL  # e.g. a null where the schema promises a value
    for kind, code in _EXPECTED:
        if isinstance(original, kind):
            return code
    return UNAVAILABLE if is_unavailable(original) else INTERNAL


def _field_of(error: GraphQLError) -> str | None:
    original = error.original_error
    field = (error.extensions or {}).get("field") or getattr(original, "field", None)
    return field if isinstance(field, str) else None


def _correlation_ids(execution_context: ExecutionContext | None) -> tuple[str, str | None]:
    """The request's correlation id (the server's) and the one the client sent, if any."""
    context = None if execution_context is None else execution_context.context
    client = getattr(context, "client_correlation_id", None)
    return str(getattr(context, "correlation_id", "unknown")), client


def public(
    error: GraphQLError, correlation_id: str, client_correlation_id: str | None = None
) -> GraphQLError:
    """The error as a client sees it: its code, and for server faults none of its text (the
    client's own correlation id, if it sent one, beside ours)."""
    code = code_of(error)
    extensions: dict[str, Any] = dict(error.extensions or {}) | {"code": code}
    message = error.message
    if code == UNAVAILABLE:
        message = (
            "The service cannot reach its database right now; retry shortly (a mutation with "
            f"an idempotencyKey is safe to send again). Correlation id {correlation_id}."
        )
        extensions = {"code": code, "retryable": True, "correlationId": correlation_id}
        if client_correlation_id is not None:
            extensions["clientCorrelationId"] = client_correlation_id
    elif code == INTERNAL:
        message = (
            "Something went wrong on our side. If it keeps happening, report correlation id "
            f"{correlation_id}."
        )
        extensions = {"code": code, "correlationId": correlation_id}
        if client_correlation_id is not None:
            extensions["clientCorrelationId"] = client_correlation_id
    elif (field := _field_of(error)) is not None:
        extensions["field"] = field
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def publish(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    """Log each error, then put in its place (in the very list the response is made from)
    the error as the client sees it. Client errors log at INFO, one line each; server faults
    at ERROR with their traceback."""
    operation = (execution_context and execution_context.operation_name) or "anonymous"
    correlation_id, client = _correlation_ids(execution_context)
    logged = correlation_id if client is None else f"{correlation_id}, client's {client!r}"
    for error in errors:
        code = code_of(error)
        if code in SERVER_FAULTS:
            original = error.original_error
            log.error(
                "%s failed with %s (correlation id %s) at %s: %s",
                operation,
                code,
                logged,
                error.path,
                error.message,
                exc_info=(type(original), original, original.__traceback__) if original else None,
            )
        else:
            log.info(  # never the message: it can echo the input (a name, a date of birth)
                "%s refused with %s (field %s)", operation, code, _field_of(error) or "-"
            )
    errors[:] = [public(e, correlation_id, client) for e in errors]


class ValidationCodes(SchemaExtension):
    """Validation errors get their code as they happen: the phase is what tells them apart
    from a variable that does not fit its type (neither has a path or an original error)."""

    def on_validate(self) -> Iterator[None]:
        yield
        for error in self.execution_context.pre_execution_errors or ():
            if error.extensions is None:
                error.extensions = {}
            error.extensions.setdefault("code", VALIDATION_FAILED)


def body_too_deep(_: Request[Any, Any, Any], __: RecursionError) -> Response[dict[str, Any]]:
    """The app's handler for a request body nested deeper than the JSON decoder recurses
    (thousands of `[` in `variables` or `extensions`): the client's error, a 400 saying so
    (strawberry's controller lets the RecursionError out, which would be a 500)."""
    error = {
        "message": "The request body is nested too deeply to read.",
        "extensions": {"code": "BAD_REQUEST"},
    }
    return Response({"errors": [error]}, status_code=HTTP_400_BAD_REQUEST)
