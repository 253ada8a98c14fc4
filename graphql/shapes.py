"""From a read-model view to its GraphQL type: most types repeat their view's fields by
name, so `copied` fills those, and a type's `from_view` says only what differs (ids as
`ID`, statuses as enums)."""

from __future__ import annotations

import dataclasses
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
    names = _INIT_FIELDS.get(cls)
    if names is None:
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        names = _INIT_FIELDS[cls] = tuple(f.name for f in fields if f.init)
    taken = {name: getattr(source, name) for name in names if name not in given}
    return cls(**taken, **given)


_INIT_FIELDS: dict[type, tuple[str, ...]] = {}
"""The fields each type takes, looked up once (a long list builds many of one type)."""
