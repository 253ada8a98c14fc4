"""Arguments every read shares: ids, `atLeast`, and one way to page through a list —
opaque cursors and the one connection shape (`edges { node cursor } pageInfo`)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar
from uuid import UUID

import strawberry
from bridgework.graphql.errors import bad_input

T = TypeVar("T")

AT_LEAST = "A log position (as returned by a mutation): wait briefly until the views include it."

AtLeast = Annotated[int | None, strawberry.argument(description=AT_LEAST)]


class CursorError(ValueError):
    """A pagination cursor that this API did not hand out."""


def encode_cursor(kind: str, *parts: int) -> str:
    raw = ":".join([kind, *map(str, parts)])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(kind: str, cursor: str, parts: int) -> list[int]:
    try:
        name, *values = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        numbers = [int(v) for v in values]
    except (binascii.Error, UnicodeDecodeError, ValueError):
        numbers, name = [], ""
    if name != kind or len(numbers) != parts or min(numbers) < 0:
        raise CursorError(f"{cursor[:100]!r} is not a valid {kind} cursor from this API")
    return numbers


def after_argument(kind: str, after: str | None, parts: int = 1) -> list[int] | None:
    """The numbers of the `after` argument's cursor, refused by name if it is not one."""
    if after is None:
        return None
    try:
        return decode_cursor(kind, after, parts)
    except CursorError as e:
        raise bad_input("after", str(e)) from None


def parse_id(argument: str, value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise bad_input(argument, f"{value[:100]!r} is not a valid id") from None


def page_size(argument: str, value: int, most: int) -> int:
    if not 1 <= value <= most:
        raise bad_input(argument, f"must be between 1 and {most}, got {value}")
    return value


@strawberry.type
class PageInfo:
    """Where a page ends, and whether there is more."""

    has_next_page: bool
    end_cursor: str | None


def paginate(
    found: Sequence[T], limit: int, after: str | None, cursor: Callable[[T], str]
) -> tuple[list[tuple[str, T]], PageInfo]:
    """A page of `found` (read with `limit + 1` rows, so one more says there is a next page):
    each row with its cursor, and where the page ends (`after` again if it is empty)."""
    rows = [(cursor(row), row) for row in found[:limit]]
    end = rows[-1][0] if rows else after
    return rows, PageInfo(has_next_page=len(found) > limit, end_cursor=end)
