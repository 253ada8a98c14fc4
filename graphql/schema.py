"""The schema, its limits, the Litestar controller, and the SDL export."""

from __future__ import annotations

import inspect
import json
import sys
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from datetime import timedelta
from types import ModuleType
from typing import TYPE_CHECKING, ClassVar

import msgspec
import strawberry
from bridgework.graphql import (
    access,
    achievements,
    applications,
    asof,
    attendance,
    checkpoints,
    enrolment,
    enums,
    errors,
    history,
    hours,
    impact,
    log,
    mentoring,
    outcomes,
    pages,
    policy,
    run,
    safeguarding,
    sockets,
    surveys,
    webhooks,
)
from bridgework.graphql.arguments import RefuseControlCharacters
from bridgework.graphql.codes import ValidationCodes, publish
from bridgework.graphql.context import Context, RefuseBadHeaders, context_getter
from bridgework.graphql.cost import MAX_COST, QueryCostLimiter
from bridgework.graphql.directory import mentors, organizations, programs, students, timeline
from bridgework.graphql.exposure import GuardExposure
from bridgework.graphql.leaves import LeafExecutionContext
from bridgework.graphql.observe import ObserveOperations
from bridgework.graphql.partnerships import charter, collaboration, lifecycle
from cross_web import HTTPException
from litestar import Controller
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.litestar import make_graphql_controller
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.tools import merge_types
from strawberry.utils.str_converters import to_camel_case

from graphql import GraphQLError

if TYPE_CHECKING:
    from strawberry.types import ExecutionContext

MAX_DEPTH = 10
MAX_TOKENS = 2000
MAX_ALIASES = 30
CACHED_DOCUMENTS = 512


def describe_from_docstrings(*modules: ModuleType) -> None:
    """Give every GraphQL type, input, interface and enum a module defines its class docstring
    as its description (a dataclass's generated signature is not documentation). The
    domain's enums served in `enums.py` keep the description given there, whatever their
    docstrings say."""
    for module in modules:
        for value in vars(module).values():
            definition = getattr(value, "__strawberry_definition__", None)
            if definition is None or definition.description is not None:
                continue
            if getattr(value, "__module__", None) != module.__name__:
                continue
            doc = inspect.cleandoc(vars(value).get("__doc__") or "")
            if doc and not doc.startswith(f"{value.__name__}("):
                definition.description = doc


AREAS: tuple[ModuleType, ...] = (
    organizations,
    programs,
    students,
    timeline,
    mentors,
    lifecycle,
    charter,
    collaboration,
    enrolment,
    applications,
    mentoring,
    safeguarding,
    attendance,
    hours,
    surveys,
    achievements,
    outcomes,
    impact,
    log,
    checkpoints,
    access,
    asof,
    webhooks,
)
"""Every area of the API, each a module with its types and, if it has any, its `Query`,
`Mutation` and `Subscription` classes, merged into the schema's root types."""

SHARED: tuple[ModuleType, ...] = (enums, errors, history, pages, run)
"""Modules of types every area uses."""

describe_from_docstrings(*AREAS, *SHARED)


def declared_policies(area: str) -> Mapping[str, Mapping[str, policy.Policy]]:
    """The `POLICIES` an area module declares, or its package's (`directory`, …)."""
    module = sys.modules[area]
    if (found := getattr(module, "POLICIES", None)) is None:
        found = getattr(sys.modules[area.rpartition(".")[0]], "POLICIES", {})
    return found


def root(name: str, description: str) -> type:
    """One root type with the fields of every area's class `name`, sorted by name so the
    schema reads the same however the areas are listed; each field enforces the policy its
    area declares (none declared: nobody may run it)."""
    merged = merge_types(name, tuple(vars(a)[name] for a in AREAS if name in vars(a)))
    definition = merged.__strawberry_definition__  # type: ignore[attr-defined]
    definition.fields.sort(key=lambda f: f.graphql_name or to_camel_case(f.python_name))
    for field in definition.fields:
        declared = declared_policies(field.origin.__module__).get(name, {})
        policy.declare(field, declared.get(field.python_name))
    definition.description = description
    return merged


class RememberValidDocuments(SchemaExtension):
    """Validate each distinct document once: front ends send the same few again and again,
    and validation (the depth and alias limits included) is a third of a typical query's
    cost. Only documents that passed are remembered; validation depends on nothing else
    (not on variables or the caller), so skipping it for them changes no answer."""

    _valid: ClassVar[OrderedDict[str, None]] = OrderedDict()

    def on_validate(self) -> Iterator[None]:
        query = self.execution_context.query
        if query is not None and query in self._valid:
            self._valid.move_to_end(query)
            self.execution_context.pre_execution_errors = []
        yield
        if query is not None and self.execution_context.pre_execution_errors == []:
            self._valid[query] = None
            if len(self._valid) > CACHED_DOCUMENTS:
                self._valid.popitem(last=False)


class Schema(strawberry.Schema):
    """strawberry's schema, except that errors are logged and shown the Bridgework way."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Every error, over HTTP and websockets and in every phase, passes here before it is
        sent: log it once and replace it with what the client may see (`codes.publish`)."""
        publish(errors, execution_context)


# Made once: each of those extensions makes a new class per instance (per request), a cycle.
LIMITS = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]

QUERY_ROOT = root("Query", "Read models and the log itself.")
"""The root Query type; `asOf` serves it again, as of a past moment."""

schema = Schema(
    query=QUERY_ROOT,
    mutation=root(
        "Mutation", "Every change is a command that appends events; nothing is overwritten."
    ),
    subscription=root("Subscription", "Live streams."),
    extensions=[
        RefuseBadHeaders,  # first: an unauthenticated caller reaches nothing else
        asof.ReleaseAsOf,
        ObserveOperations,
        ValidationCodes,
        RememberValidDocuments,
        GuardExposure,
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),  # keyed by the text and the token limit
        lambda: AddValidationRules(LIMITS),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        RefuseControlCharacters,
        lambda: QueryCostLimiter(budget=MAX_COST),
    ],
    execution_context_class=LeafExecutionContext,
)


def graphql_controller(*, graphiql: bool = True) -> type[Controller]:
    """GraphQL over HTTP and `graphql-transport-ws` at /graphql, with GraphiQL (or without:
    GET /graphql without a query is then 404).

    A socket that never says `connection_init` is closed after 10 s, one without a valid
    token in it is rejected (4403, `sockets.py`), and one connection
    may run 20 subscriptions at most. strawberry's `keep_alive` only drives the legacy
    `graphql-ws` protocol (not enabled); dead peers of `graphql-transport-ws` are found by
    uvicorn's websocket pings (every 20 s, 20 s to answer, by default)."""
    base = make_graphql_controller(
        schema,
        path="/graphql",
        context_getter=context_getter,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        graphql_ide="graphiql" if graphiql else None,
        connection_init_wait_timeout=timedelta(seconds=10),
        max_subscriptions_per_connection=20,
    )

    class GraphQLController(base):  # type: ignore[valid-type, misc]
        async def on_ws_connect(self, context: Context) -> None:
            """Authenticate a websocket from its connection_init payload (`sockets.py`)."""
            await sockets.connect(context)

        def decode_json(self, data: str | bytes) -> object:
            """A websocket message nested too deeply to read is unreadable JSON (the socket
            is closed with 4400, as for any message that is not JSON), not a server fault."""
            try:
                return json.loads(data)
            except RecursionError:
                raise _TooDeep("nested too deeply", "", 0) from None

        def encode_json(self, data: object) -> str:
            """Every response and websocket message, encoded by msgspec: the same JSON values
            (non-ASCII text as UTF-8 rather than `\\u` escapes), several times faster than
            the `json` module for a list of a hundred rows."""
            return msgspec.json.encode(data).decode()

        def parse_json(self, data: str | bytes) -> object:
            """Over HTTP the app answers such a body with its own 400 (`codes.body_too_deep`)."""
            try:
                return super().parse_json(data)
            except HTTPException as e:
                if isinstance(e.__cause__, _TooDeep):
                    raise RecursionError from None
                raise

    return GraphQLController


class _TooDeep(json.JSONDecodeError):
    pass


def export_sdl() -> str:
    """The schema as SDL; `graphql/schema.graphql` is this, committed."""
    return schema.as_str() + "\n"
