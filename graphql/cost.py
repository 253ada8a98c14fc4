"""A query's cost, estimated from its document before it runs: how many objects it may
resolve. Depth, token and alias limits bound a document's size; this bounds its work.

Every object a field may resolve costs 1, scalars nothing. A list holds its `first`
argument's worth of items (the argument's default when the caller leaves it out), or
`DEFAULT_LIST_SIZE` where it takes no `first`; a connection's `first` sizes its `edges`
list. Nested lists multiply. Introspection is free: the schema bounds it, not
the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from strawberry.extensions import SchemaExtension

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from graphql import DocumentNode, GraphQLField, GraphQLNamedType, SelectionNode

MAX_COST = 25_000
"""A page of 1,000 events with their metadata costs about 3,000, a class's outcomes with
every evaluation's ratings about 15,000; a page of 100 programs with each student's own
programs' students in it (100 * 10 * 10 * 10) is far over."""
DEFAULT_LIST_SIZE = 10
"""What a list without `first` is taken to hold: a program's enrolments, a student's
outcomes, a partnership's check-ins are tens at most."""
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True)
class _Document:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, Any]


def estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: dict[str, Any] | None = None,
) -> int:
    """The cost of the operation `operation_name` (or the only one) in `document`."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    doc = _Document(
        schema=schema,
        fragments={
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        },
        variables=_with_defaults(operation, variables or {}),
    )
    return _cost(doc, operation.selection_set.selections, root, 1, None)


def _with_defaults(operation: OperationDefinitionNode, given: dict[str, Any]) -> dict[str, Any]:
    values = dict(given)
    for definition in operation.variable_definitions or ():
        name, default = definition.variable.name.value, definition.default_value
        if name not in values and isinstance(default, IntValueNode):
            values[name] = int(default.value)
    return values


def _cost(
    doc: _Document,
    selections: Sequence[SelectionNode],
    parent: GraphQLNamedType | None,
    multiplier: int,
    page: int | None,
) -> int:
    total = 0
    for selection in selections:
        match selection:
            case FieldNode(selection_set=None):
                continue  # a scalar
            case FieldNode() if not selection.name.value.startswith("__"):
                total += _field_cost(doc, selection, parent, multiplier, page)
            case InlineFragmentNode():
                condition = selection.type_condition
                inner = doc.schema.get_type(condition.name.value) if condition else parent
                total += _cost(doc, selection.selection_set.selections, inner, multiplier, page)
            case FragmentSpreadNode():
                fragment = doc.fragments.get(selection.name.value)
                if fragment is not None:
                    inner = doc.schema.get_type(fragment.type_condition.name.value)
                    total += _cost(doc, fragment.selection_set.selections, inner, multiplier, page)
    return total


def _field_cost(
    doc: _Document,
    node: FieldNode,
    parent: GraphQLNamedType | None,
    multiplier: int,
    page: int | None,
) -> int:
    if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        return 0
    field = parent.fields.get(node.name.value)
    if field is None or node.selection_set is None:
        return 0
    first = _first(doc, node, field)
    if isinstance(get_nullable_type(field.type), GraphQLList):
        size = first if first is not None else page if page is not None else DEFAULT_LIST_SIZE
        own = inner = multiplier * size
        page = None
    else:
        own = inner = multiplier
        page = first if first is not None else page
    named = get_named_type(field.type)
    return own + _cost(doc, node.selection_set.selections, named, inner, page)


def _first(doc: _Document, node: FieldNode, field: GraphQLField) -> int | None:
    """The page size a field with a `first` argument is asked for; None for other fields."""
    argument = field.args.get("first")
    if argument is None:
        return None
    value: Any = argument.default_value
    for given in node.arguments or ():
        if given.name.value != "first":
            continue
        if isinstance(given.value, IntValueNode):
            value = int(given.value.value)
        elif isinstance(given.value, VariableNode):
            value = doc.variables.get(given.value.name.value, value)
    return max(value, 0) if isinstance(value, int) else DEFAULT_LIST_SIZE


class QueryCostLimiter(SchemaExtension):
    """Refuse an operation whose estimated cost is over the budget, before it runs (here
    rather than in validation: the cost depends on the variables)."""

    def __init__(self, *, budget: int = MAX_COST) -> None:
        self.budget = budget

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            cost = estimate(
                context.schema._schema,  # noqa: SLF001 - strawberry's graphql-core schema
                context.graphql_document,
                context.operation_name,
                context.variables,
            )
            if cost > self.budget:
                raise GraphQLError(
                    f"This query could resolve {cost:,} objects, over the budget of"
                    f" {self.budget:,}: ask for smaller pages (`first`) or fewer nested lists.",
                    extensions={"code": QUERY_TOO_COMPLEX, "cost": cost, "budget": self.budget},
                )
        yield
