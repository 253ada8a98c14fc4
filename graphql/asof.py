"""`asOf`: the whole Query as it stood at a past position or time.

`asOf(position: 120) { program(id: …) { enrollments { … } } }` runs the same resolvers, the
same loaders, policies, scoping and redaction as the live fields, over the read models
replayed up to then (`projections/asof.py`): the resolver takes a lease on the scratch
schema and points the request's reads (`Context.reads`, a fresh `Loaders`) at it, so it
must be the operation's only root field; `ReleaseAsOf` gives the lease back when the
operation ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from bridgework.graphql.context import Info
from bridgework.graphql.errors import BAD_USER_INPUT, bad_input
from bridgework.graphql.loaders import Loaders
from bridgework.graphql.policy import Policies, staff
from bridgework.projections.asof import AsOfRefused
from strawberry.extensions import SchemaExtension

from graphql import FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode

if TYPE_CHECKING:
    from bridgework.graphql.schema import QUERY_ROOT

    from graphql import SelectionSetNode

FIELD = "asOf"


def root_fields(info: Any) -> list[str]:
    """The names of the operation's root fields, through fragments (`info`: graphql-core's
    resolve info)."""

    def names(selections: SelectionSetNode) -> list[str]:
        found = []
        for s in selections.selections:
            if isinstance(s, FieldNode):
                found.append(s.name.value)
            elif isinstance(s, InlineFragmentNode):
                found += names(s.selection_set)
            elif isinstance(s, FragmentSpreadNode) and s.name.value in info.fragments:
                found += names(info.fragments[s.name.value].selection_set)
        return found

    return [n for n in names(info.operation.selection_set) if n != "__typename"]


def refused(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": BAD_USER_INPUT, "field": FIELD})


@strawberry.type
class Query:
    @strawberry.field(
        description="Every read model as it stood at a past moment: the same Query, replayed "
        "from the log up to `position` (every event at or below it) or to `at` (the last "
        "position recorded by then, in the log's gap-safe order). Give exactly one. It must "
        "be the operation's only root field, and cannot be nested in itself."
    )
    async def as_of(
        self, info: Info, position: int | None = None, at: datetime | None = None
    ) -> Annotated[QUERY_ROOT, strawberry.lazy("bridgework.graphql.schema")]:  # type: ignore[valid-type]
        from bridgework.graphql import schema  # noqa: PLC0415 - the schema is built from this

        context = info.context
        if info.path.prev is not None or context.as_of is not None:
            raise refused("asOf cannot be nested in asOf")
        if root_fields(info._raw_info) != [FIELD]:  # noqa: SLF001 - strawberry keeps it there
            raise refused("asOf must be the only root field of its operation")
        if context.websocket is not None:  # one context serves all of a socket's operations
            raise refused("asOf is served over HTTP only, not over a websocket")
        views = context.api.as_of
        if views is None:
            raise refused("this server does not serve past views")
        try:
            checkpoint = await views.checkpoint(position=position, at=at)
            lease = await views.lease(checkpoint, field="position" if at is None else "at")
        except AsOfRefused as e:
            raise bad_input(e.field, str(e)) from None
        context.as_of = lease
        context.loaders = Loaders(lease.reader)
        return schema.QUERY_ROOT()  # type: ignore[no-any-return]


class ReleaseAsOf(SchemaExtension):
    """Give an `asOf` lease back when its operation ends, however it ends."""

    async def on_operation(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            context = self.execution_context.context
            lease = getattr(context, "as_of", None)
            if lease is not None:
                context.as_of = None
                context.loaders = Loaders(context.api.pool)
                await lease.release()


POLICIES: Policies = {"Query": {"as_of": staff()}}
"""Who may run each root field of this area (`policy.py`); inside `asOf`, every field keeps
its own policy."""
