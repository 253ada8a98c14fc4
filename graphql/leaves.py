"""Leaf fields without a resolver, answered without graphql-core's per-field machinery.

A field that only reads an attribute of its object and returns a scalar or an enum (most of
a long list's fields: a student's name, an enrolment's status) costs graphql-core a path, a
resolve info, a resolver call through strawberry's wrapper and a value completion: about
5 µs, so a list of 100 rows of 4 such fields spends 2 ms on them. `LeafExecutionContext`
reads such a field and coerces its value directly, and leaves everything else — and every
case that would be an error (a null where the schema promises a value, a value the scalar
refuses) — to graphql-core, which then answers exactly as it always did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from graphql import GraphQLEnumType, GraphQLField, GraphQLNonNull, GraphQLScalarType, Undefined

if TYPE_CHECKING:
    from collections.abc import Callable

    from graphql.execution.collect_fields import FieldDetailsList
    from graphql.pyutils import Path

    from graphql import GraphQLObjectType


class Leaf(NamedTuple):
    field: StrawberryField
    coerce: Callable[[Any], Any]
    nullable: bool


_LEAVES: dict[int, tuple[GraphQLField, Leaf | None]] = {}
"""By `id` of a field of a schema (a fixed, finite set; fields are not hashable): the field,
held so that its id is never reused, and how to answer it directly, or None."""


def leaf_of(field_def: GraphQLField) -> Leaf | None:
    """How to answer `field_def` directly: a strawberry field with no resolver, no field
    extensions and no arguments, of a scalar or enum type. None for any other."""
    known = _LEAVES.get(id(field_def))
    if known is not None and known[0] is field_def:
        return known[1]
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    found: Leaf | None = None
    if (
        isinstance(definition, StrawberryField)
        and definition.is_basic_field
        and getattr(field_def.resolve, "_is_default", False)
        and not field_def.args
    ):
        nullable = not isinstance(field_def.type, GraphQLNonNull)
        named = (
            field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
        )
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            found = Leaf(definition, named.coerce_output_value, nullable)
    _LEAVES[id(field_def)] = (field_def, found)
    return found


class LeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, with leaf fields answered directly (see above)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # A middleware (an extension that implements `resolve`) must see every field.
        self._direct = manager is None or not manager.middlewares

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        if self._direct:
            node = field_details_list[0].node
            field_def = self.schema.get_field(parent_type, node.name.value)
            leaf = None if field_def is None else leaf_of(field_def)
            if leaf is not None and not node.arguments:
                value = leaf.field.get_result(source, info=None, args=[], kwargs={})
                if value is None:
                    if leaf.nullable:
                        return None
                elif not self.is_awaitable(value):
                    try:
                        coerced = leaf.coerce(value)
                    except Exception:  # noqa: BLE001 - graphql-core reports it, below
                        coerced = None
                    if coerced is not None and coerced is not Undefined:
                        return coerced
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
