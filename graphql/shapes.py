"""From a read-model view to its GraphQL type: most types repeat their view's fields by
name, so `copied` fills those, and a type's `from_view` says only what differs (ids as
`ID`, statuses as enums)."""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from typing import Any, TypeVar

import strawberry

T = TypeVar("T")


def ident(value: object) -> strawberry.ID:
    """An id as the API shows it."""
    return strawberry.ID(str(value))


def maybe_ident(value: object | None) -> strawberry.ID | None:
    return None if value is None else ident(value)


def copied(cls: type[T], source: Any, /, **given: Any) -> T:
    """A `cls` with `given`, and every other field of `cls` taken from `source` (a view) by
    the same name."""
    key = (cls, tuple(given))
    taking = _TAKEN.get(key)
    if taking is None:
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        names = tuple(f.name for f in fields if f.init and f.name not in given)
        taking = _TAKEN[key] = (names, attrgetter(*names) if len(names) > 1 else None)
    names, take = taking
    if take is not None:
        return cls(**dict(zip(names, take(source), strict=True)), **given)
    return cls(**{name: getattr(source, name) for name in names}, **given)


_TAKEN: dict[tuple[type, tuple[str, ...]], tuple[tuple[str, ...], Any]] = {}
"""The fields each type takes from its view given the others, and one getter of them all,
looked up once per call site's shape (a long list builds many of one type)."""
