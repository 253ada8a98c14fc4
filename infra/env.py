"""Reading settings from environment variables: each parser refuses what it cannot use, and
`read` turns the refusal into a `SettingsError` naming the variable."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

T = TypeVar("T")


class SettingsError(ValueError):
    """An environment variable has a value Bridgework cannot use."""


def read(env: Mapping[str, str], name: str, default: T, parse: Callable[[str], T], what: str) -> T:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw.strip())
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not {what}") from None


def flag(raw: str) -> bool:
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ValueError(raw)


def positive(parse: Callable[[str], float]) -> Callable[[str], float]:
    def checked(raw: str) -> float:
        value = parse(raw)
        if not 0 < value < math.inf:  # also refuses nan
            raise ValueError(raw)
        return value

    return checked


def one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def chosen(raw: str) -> str:
        for choice in choices:
            if raw.lower() == choice.lower():
                return choice
        raise ValueError(raw)

    return chosen


def positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError(raw)
    return value


def names(raw: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in raw.split(",") if n.strip())
    if not names:
        raise ValueError(raw)
    return names


def seconds(raw: str) -> int:
    seconds = int(raw)
    if not 0 <= seconds <= 300:  # noqa: PLR2004
        raise ValueError(raw)
    return seconds


def days(raw: str) -> int:
    days = int(raw)
    if not 1 <= days <= 365:  # noqa: PLR2004
        raise ValueError(raw)
    return days
