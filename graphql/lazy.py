"""Areas that name each other both ways: a type of one area serves a field another area
resolves. The annotation names the other type lazily (`Annotated[HoursEntry, _hours]`), and
the resolver calls the other area's function through `later`, looked up when it first runs,
so neither module imports the other while the modules load."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import strawberry


def area(name: str) -> Any:
    """`strawberry.lazy` for the area module `bridgework.graphql.<name>`."""
    return strawberry.lazy(f"bridgework.graphql.{name}")


def later(name: str, function: str) -> Callable[..., Any]:
    """`function` of the area module `bridgework.graphql.<name>`, found when first called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        module = importlib.import_module(f"bridgework.graphql.{name}")
        return getattr(module, function)(*args, **kwargs)

    return call
