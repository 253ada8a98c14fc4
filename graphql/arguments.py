"""Every string argument of a query or subscription, checked once before it runs: no control
characters (tabs and line breaks included: ids, cursors, tokens and event types are all
single-line), by the same rule `commands.parse` applies to mutations' inputs.

A mutation's strings are its command's: `run()` reports them in the payload's
`ValidationError`, so its operation is left to that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bridgework.graphql.errors import bad_field
from bridgework.services.command import text_problem
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_operation_ast,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from bridgework.services.command import Problem


def argument_problems(
    document: DocumentNode, operation_name: str | None, variables: dict[str, Any]
) -> list[Problem]:
    """Every string in the operation's arguments (literal or through a variable) that may
    not be used, named by its argument: `streamId`, `types[1]`."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return []
    values = _with_defaults(operation, variables)
    selections = [operation.selection_set] + [
        d.selection_set for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    ]
    return [
        problem
        for argument in _arguments(selections)
        for problem in _in_node(argument.value, argument.name.value, values)
    ]


def _arguments(selection_sets: list[SelectionSetNode]) -> Iterator[ArgumentNode]:
    """Every field's arguments (graphql-core's `visit` takes a millisecond for this)."""
    pending = list(selection_sets)
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                yield from selection.arguments or ()
            inner = getattr(selection, "selection_set", None)
            if inner is not None:
                pending.append(inner)


def _with_defaults(operation: OperationDefinitionNode, given: dict[str, Any]) -> dict[str, Any]:
    defaults = {
        d.variable.name.value: d.default_value
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }
    return defaults | given


def _in_node(node: ValueNode | Any, path: str, variables: dict[str, Any]) -> Iterator[Problem]:
    match node:
        case StringValueNode():
            yield from _in_value(node.value, path)
        case ListValueNode():
            for i, item in enumerate(node.values):
                yield from _in_node(item, f"{path}[{i}]", variables)
        case ObjectValueNode():
            for field in node.fields:
                yield from _in_node(field.value, f"{path}.{field.name.value}", variables)
        case VariableNode():
            yield from _in_node(variables.get(node.name.value), path, variables)
        case _:
            yield from _in_value(node, path)


def _in_value(value: Any, path: str) -> Iterator[Problem]:
    if isinstance(value, str):
        if (problem := text_problem(path, value)) is not None:
            yield path, problem
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _in_value(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _in_value(item, f"{path}.{key}")


class RefuseControlCharacters(SchemaExtension):
    """Refuse a query or subscription whose string arguments hold control characters, as
    BAD_USER_INPUT naming the argument, before anything reads the database with them."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.operation_type is not OperationType.MUTATION:
            found = argument_problems(document, context.operation_name, context.variables or {})
            if found:
                raise bad_field(*found[0])
        yield
