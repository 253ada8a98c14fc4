"""Areas that name each other both ways. Every area imports the directory's types
(`Program`, `Student`, …) by name; the directory's types serve fields the other areas
resolve (`Program.hours`), so the directory reaches them lazily: the annotation names the
other type through `area` (`Annotated[HoursEntry, _hours]`), and the resolver calls the
other area's function through `later`, looked up when it first runs:

    if TYPE_CHECKING:
        from bridgework.graphql.hours import HoursEntry, hours_of_program
    else:
        hours_of_program = later("hours", "hours_of_program")
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.types.lazy_type import StrawberryLazyReference


def area(name: str) -> StrawberryLazyReference:
    """`strawberry.lazy` for the area module `bridgework.graphql.<name>`."""
    return strawberry.lazy(f"bridgework.graphql.{name}")


def later(name: str, function: str) -> Callable[..., Any]:
    """`function` of the area module `bridgework.graphql.<name>`, found when first called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return _found(name, function)(*args, **kwargs)

    return call


@functools.cache
def _found(name: str, function: str) -> Callable[..., Any]:
    found: Callable[..., Any] = getattr(
        importlib.import_module(f"bridgework.graphql.{name}"), function
    )
    return found
