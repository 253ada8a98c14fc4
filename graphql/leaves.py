"""Fields without a resolver, answered without graphql-core's per-field machinery.

A field that only reads an attribute of its object and returns a scalar or an enum (most of
a long list's fields: a student's name, an enrolment's status) costs graphql-core a path, a
resolve info, a resolver call through strawberry's wrapper and a value completion: about
5 µs, so a list of 100 rows of 4 such fields spends 2 ms on them. `LeafExecutionContext`
reads such a field and coerces its value directly; and a list whose rows ask only for such
fields (and for objects without resolvers that do the same, and `__typename`) is built in
one pass, row by row, without a path or a completion per field.

Everything else — and every case that would be an error (a null where the schema promises
a value, a value the scalar refuses) — is left to graphql-core, which then answers exactly
as it always did: the direct answers have no side effects, so a list that meets one is
simply completed again by graphql-core.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    Undefined,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from graphql.execution.collect_fields import FieldDetailsList
    from graphql.pyutils import Path


class Leaf(NamedTuple):
    get: Callable[[Any], Any]
    coerce: Callable[[Any], Any]
    nullable: bool


def getter(field: StrawberryField) -> Callable[[Any], Any]:
    """What strawberry's resolver of a field without one does: its default resolver."""
    if field.default_resolver is getattr:
        return attrgetter(field.python_name)
    return lambda source: field.get_result(source, info=None, args=[], kwargs={})


_LEAVES: dict[int, tuple[GraphQLField, Leaf | None]] = {}
"""By `id` of a field of a schema (a fixed, finite set; fields are not hashable): the field,
held so that its id is never reused, and how to answer it directly, or None."""


def leaf_of(field_def: GraphQLField) -> Leaf | None:
    """How to answer `field_def` directly: a strawberry field with no resolver, no field
    extensions and no arguments, of a scalar or enum type. None for any other."""
    known = _LEAVES.get(id(field_def))
    if known is not None and known[0] is field_def:
        return known[1]
    definition = _basic(field_def)
    found: Leaf | None = None
    if definition is not None:
        nullable = not isinstance(field_def.type, GraphQLNonNull)
        named = (
            field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
        )
        if isinstance(named, GraphQLEnumType):
            found = Leaf(getter(definition), _enum_coercer(named), nullable)
        elif isinstance(named, GraphQLScalarType):
            found = Leaf(getter(definition), named.coerce_output_value, nullable)
    _LEAVES[id(field_def)] = (field_def, found)
    return found


def _enum_coercer(named: GraphQLEnumType) -> Callable[[Any], Any]:
    """The enum's `coerce_output_value`, with its Python members' names looked up in a dict
    (strawberry's compares the value with each of the enum's values in turn)."""
    slow = named.coerce_output_value
    wrapped = getattr(named, "wrapped_cls", None)
    if wrapped is None:
        return slow
    names = {m: name for name, v in named.values.items() for m in wrapped if m.value == v.value}

    def coerce(value: Any) -> Any:
        found = names.get(value) if isinstance(value, wrapped) else None
        return slow(value) if found is None else found

    return coerce


def _basic(field_def: GraphQLField) -> StrawberryField | None:
    """The strawberry field behind `field_def` if it only reads an attribute: no resolver,
    no field extensions (permissions are extensions), no arguments."""
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        isinstance(definition, StrawberryField)
        and definition.is_basic_field
        and getattr(field_def.resolve, "_is_default", False)
        and not field_def.args
    ):
        return definition
    return None


class Shape(NamedTuple):
    """How to build one row of a list directly: for each response name, a leaf, the type's
    name (`__typename`), or a field holding an object (None allowed if `nullable`)."""

    nullable: bool
    entries: tuple[tuple[str, Entry], ...]


Entry: TypeAlias = "Leaf | str | tuple[Callable[[Any], Any], Shape]"


def _never(_: object) -> bool:
    return False


class _NotDirect(Exception):
    """This list has a row graphql-core must answer (with an error, most likely)."""


def build(shape: Shape, row: Any) -> dict[str, Any] | None:
    """`row` as the response shows it, or `_NotDirect`."""
    if row is None:
        if shape.nullable:
            return None
        raise _NotDirect
    out: dict[str, Any] = {}
    for name, entry in shape.entries:
        if isinstance(entry, str):
            out[name] = entry
        elif isinstance(entry, Leaf):
            out[name] = direct(entry, row, _never)
        else:
            get, inner = entry
            value = get(row)
            if isinstance(value, Exception):
                raise _NotDirect
            out[name] = build(inner, value)
    return out


def direct(leaf: Leaf, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """`leaf` of `source` as the response shows it, or `_NotDirect`."""
    value = leaf.get(source)
    if value is None:
        if leaf.nullable:
            return None
        raise _NotDirect
    if isinstance(value, Exception) or is_awaitable(value):  # graphql-core raises / awaits
        raise _NotDirect
    coerced = leaf.coerce(value)
    if coerced is None or coerced is Undefined:
        raise _NotDirect
    return coerced


class LeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, with leaf fields answered directly (see above)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # A middleware (an extension that implements `resolve`) must see every field.
        self._direct = manager is None or not manager.middlewares
        self._shapes: dict[tuple[int, int], tuple[FieldDetailsList, Shape | None]] = {}

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
                try:
                    return direct(leaf, source, self.is_awaitable)
                except Exception:  # noqa: BLE001, S110 - graphql-core reports it, below
                    pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def complete_iterable_value(  # noqa: PLR0917 - graphql-core's signature
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: Any,
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> Any:
        shape = self._shape(item_type, field_details_list) if self._direct else None
        if shape is not None and self.get_stream_usage(field_details_list, path) is None:
            items = list(items)
            try:
                if not any(self.is_awaitable(item) for item in items):
                    return [build(shape, item) for item in items]
            except Exception:  # noqa: BLE001, S110 - graphql-core answers it, below
                pass
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _shape(self, type_: GraphQLOutputType, details: FieldDetailsList) -> Shape | None:
        """How to build a `type_` for this selection directly, or None; memoized per
        selection, as graphql-core memoizes the subfields it collects."""
        key = (id(type_), id(details))
        known = self._shapes.get(key)
        if known is None:
            known = self._shapes[key] = (
                details,
                self._new_shape(type_, details),
            )
        return known[1]

    def _new_shape(self, type_: GraphQLOutputType, details: FieldDetailsList) -> Shape | None:
        nullable = not isinstance(type_, GraphQLNonNull)
        named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if not isinstance(named, GraphQLObjectType) or named.is_type_of is not None:
            return None
        grouped, defer_usages, _ = self.collect_subfields(named, details)
        if defer_usages:
            return None
        entries: list[tuple[str, Entry]] = []
        for name, subfield in grouped.items():
            node = subfield[0].node
            if node.arguments or any(d.defer_usage is not None for d in subfield):
                return None
            if node.name.value == "__typename":
                entries.append((name, named.name))
                continue
            field_def = self.schema.get_field(named, node.name.value)
            if field_def is None:
                return None
            leaf = leaf_of(field_def)
            if leaf is not None:
                entries.append((name, leaf))
                continue
            definition = _basic(field_def)
            inner = None if definition is None else self._shape(field_def.type, subfield)
            if definition is None or inner is None:
                return None
            entries.append((name, (getter(definition), inner)))
        return Shape(nullable, tuple(entries))
