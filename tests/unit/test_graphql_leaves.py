"""Leaf fields answered directly (`graphql/leaves.py`) give exactly graphql-core's answers:
the same data, and the same errors where a value does not fit its type."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import pytest
import strawberry
from bridgework.graphql.leaves import LeafExecutionContext
from strawberry.extensions import SchemaExtension
from strawberry.scalars import JSON

if TYPE_CHECKING:
    from graphql import GraphQLResolveInfo


@strawberry.enum
class Colour(enum.Enum):
    RED = "RED"
    BLUE = "BLUE"


@strawberry.type
class Tag:
    label: str


@strawberry.type
class Blob:
    value: JSON  # a scalar that takes any value, an exception too


@strawberry.type
class Row:
    name: str
    count: int | None
    colour: Colour
    score: float
    tag: Tag | None = None

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


def some_rows() -> list[Row]:
    return [
        Row(name="a", count=1, colour=Colour.RED, score=0.5),
        Row(name="b", count=None, colour=Colour.BLUE, score=2),
        Row(name=None, count=3, colour=Colour.RED, score=1.0),  # type: ignore[arg-type]
        Row(name="d", count="x", colour="GREEN", score="many"),  # type: ignore[arg-type]
    ]


@strawberry.type
class Query:
    @strawberry.field
    def rows(self) -> list[Row]:
        return some_rows()

    @strawberry.field
    def loose(self) -> list[Row | None]:
        return some_rows()

    @strawberry.field
    def broken(self) -> Row | None:
        return Tag(label="not a row")  # type: ignore[return-value]

    @strawberry.field
    def failed(self) -> list[Blob | None]:
        return [Blob(value=ValueError("stored")), Blob(value={"a": 1})]

    @strawberry.field
    def good(self) -> list[Row | None]:
        return [
            Row(name="a", count=1, colour=Colour.RED, score=0.5, tag=Tag(label="x")),
            Row(name="b", count=None, colour=Colour.BLUE, score=2),
        ]


QUERIES = [
    "{ rows { name count colour score shout } }",
    "{ rows { n: name c: count __typename } }",
    "{ rows { name @skip(if: true) count @include(if: false) colour } }",
    "query($s: Boolean!) { rows { name @skip(if: $s) score } }",
    "{ loose { name count colour score shout } }",
    "{ loose { count } }",
    "{ good { name count colour score tag { label __typename } } }",
    "{ good { ... on Row { name } tag { ...T } } } fragment T on Tag { l: label }",
    "{ good { tag { label } } loose { __typename } }",
    "{ broken { name count } }",
    "{ failed { value } }",
]


class Counting(SchemaExtension):
    """A middleware: every field must still pass through it."""

    seen: list[str] = []  # noqa: RUF012

    def resolve(self, _next: Any, root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
        Counting.seen.append(info.field_name)
        return _next(root, info, **kwargs)


def run(query: str, **schema_options: Any) -> tuple[Any, list[Any]]:
    schema = strawberry.Schema(query=Query, **schema_options)
    result = schema.execute_sync(query, variable_values={"s": False})
    errors = [(e.message, e.path) for e in result.errors or []]
    return result.data, errors


@pytest.mark.parametrize("query", QUERIES)
def test_leaves_answered_directly_match_graphql_core(query: str) -> None:
    assert run(query, execution_context_class=LeafExecutionContext) == run(query)


def test_values_that_do_not_fit_their_type_are_errors_in_their_place() -> None:
    data, errors = run(QUERIES[4], execution_context_class=LeafExecutionContext)
    assert data is not None
    assert data["loose"][:2] == [
        {"name": "a", "count": 1, "colour": "RED", "score": 0.5, "shout": "A"},
        {"name": "b", "count": None, "colour": "BLUE", "score": 2.0, "shout": "B"},
    ]
    assert data["loose"][2:] == [None, None]
    assert sorted(tuple(path) for _, path in errors) == [
        ("loose", 2, "name"),
        ("loose", 3, "colour"),
        ("loose", 3, "count"),  # a nullable field: null, and the row goes on
    ]  # a non-null field's error nulls its row, so `score` of row 3 is never reached


def test_a_middleware_still_sees_every_leaf() -> None:
    Counting.seen = []
    run(QUERIES[5], execution_context_class=LeafExecutionContext, extensions=[Counting])
    assert Counting.seen == ["loose", "count", "count", "count", "count"]


def test_a_list_of_plain_rows_is_built_whole() -> None:
    data, errors = run(QUERIES[6], execution_context_class=LeafExecutionContext)
    assert errors == []
    assert data == {
        "good": [
            {
                "name": "a",
                "count": 1,
                "colour": "RED",
                "score": 0.5,
                "tag": {"label": "x", "__typename": "Tag"},
            },
            {"name": "b", "count": None, "colour": "BLUE", "score": 2.0, "tag": None},
        ]
    }
