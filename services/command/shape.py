"""Shape checks at the edge: every problem of an input, each naming its field, in our words.

msgspec stops at the first error and words it for programmers, so the input is walked here
against the command's own annotated types (read through `msgspec.inspect`): one sentence
per field that is wrong. msgspec still builds the command once the walk finds nothing.

Every string is also checked for characters that must never reach the log: C0 controls
(tab, line feed and carriage return aside), DEL, C1 controls and lone surrogates. A string
type is single-line (tab and line breaks refused too) unless its `Meta` says
`extra=MULTILINE`: reasons, notes, statements and the like.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final
from uuid import UUID

import msgspec
import msgspec.inspect as mi

if TYPE_CHECKING:
    from collections.abc import Iterator

MULTILINE: Final = {"multiline": True}
"""`msgspec.Meta(extra=MULTILINE)`: free text that may hold tabs and line breaks."""

EXPECTS: Final = "expects"
"""`msgspec.Meta(extra={EXPECTS: "an e-mail address"})`: what a pattern stands for, in words."""

Problem = tuple[str, str]
"""(field as callers spell it, e.g. `followUps[0].action`; a sentence that names it)."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_BREAKS = "\t\n\r"


def text_problem(field: str, value: str, *, multiline: bool = False) -> str | None:
    """Why `value` may not be stored as it is, or None: the one rule for every string."""
    found = (_CONTROL if multiline else _CONTROL_OR_BREAK).search(value)
    if found is None:
        return None
    char = found.group()
    if char in _BREAKS:
        return f"{field} must be a single line, without tabs or line breaks"
    return (
        f"{field} must not contain control characters"
        f" (U+{ord(char):04X} at character {found.start() + 1})"
    )


def has_control_characters(value: Any) -> bool:
    """Whether any string in plain data holds a control character, tabs and line breaks
    included: when none does, no string type needs asking whether it allows them."""
    if isinstance(value, str):
        return _CONTROL_OR_BREAK.search(value) is not None
    if isinstance(value, dict):
        return any(has_control_characters(v) for v in value.values())
    if isinstance(value, list):
        return any(has_control_characters(v) for v in value)
    return False


@functools.cache
def camel(name: str) -> str:
    """`presenter_ids` → `presenterIds`: the names GraphQL callers use."""
    return re.sub(r"_([a-z])", lambda m: m[1].upper(), name)


@functools.cache
def _info(annotation: Any) -> mi.Type:
    return mi.type_info(annotation)


def problems(data: Any, annotation: Any, field: str = "") -> list[Problem]:
    """Every problem of `data` as a value of `annotation` (a command type, or any annotated
    type such as a key's); `field` names the value itself when it is not a struct."""
    return list(_walk(data, _info(annotation), field, multiline=False, expects=None))


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _walk(  # noqa: C901, PLR0912 - one case per kind of type
    value: Any, t: mi.Type, path: str, *, multiline: bool, expects: str | None
) -> Iterator[Problem]:
    name = path or "input"
    match t:
        case mi.Metadata():
            extra = t.extra or {}
            yield from _walk(
                value,
                t.type,
                path,
                multiline=bool(extra.get("multiline")),
                expects=extra.get(EXPECTS, expects),
            )
        case mi.UnionType():
            if value is None and any(isinstance(o, mi.NoneType) for o in t.types):
                return
            options = [o for o in t.types if not isinstance(o, mi.NoneType)]
            found = [
                list(_walk(value, o, path, multiline=multiline, expects=expects)) for o in options
            ]
            if all(found):
                yield from found[0]
        case _ if value is None:
            yield path, f"{name} is required"
        case mi.StructType():
            yield from _struct(value, t, path)
        case mi.ListType():
            yield from _list(value, t, path, multiline=multiline, expects=expects)
        case mi.StrType():
            if (
                problem := _string(value, t, name, multiline=multiline, expects=expects)
            ) is not None:
                yield path, problem
        case mi.IntType():
            if isinstance(value, bool) or not isinstance(value, int) or not _in_range(value, t):
                yield path, f"{name} must be {_whole_number(t)}"
        case mi.BoolType():
            if not isinstance(value, bool):
                yield path, f"{name} must be true or false"
        case mi.UUIDType():
            if not _converts(value, UUID):
                yield path, f"{name} is not a valid id"
        case mi.DateType():
            if not _converts(value, date):
                yield path, f"{name} must be a date like 2026-09-01"
        case mi.DecimalType():
            if isinstance(value, bool) or not _converts(value, Decimal):
                yield path, f"{name} must be a number like 12.5"
        case mi.EnumType():
            allowed = [m.value for m in t.cls]
            if value not in allowed:
                yield path, f"{name} must be one of: {', '.join(map(str, allowed))}"
        case _:
            # A kind no command uses yet: msgspec's own conversion still checks it.
            return


def _struct(value: Any, t: mi.StructType, path: str) -> Iterator[Problem]:
    if not isinstance(value, dict):
        yield path, f"{path or 'input'} must be an object"
        return
    known = {f.encode_name for f in t.fields}
    for f in t.fields:
        field = _join(path, camel(f.encode_name))
        if f.encode_name in value:
            yield from _walk(value[f.encode_name], f.type, field, multiline=False, expects=None)
        elif f.required:
            yield field, f"{field} is required"
    if t.forbid_unknown_fields:
        for key in value:
            if key not in known:
                field = _join(path, camel(str(key)))
                yield field, f"{field} is not a field of this input"


def _list(
    value: Any, t: mi.ListType, path: str, *, multiline: bool, expects: str | None
) -> Iterator[Problem]:
    if not isinstance(value, list):
        yield path, f"{path} must be a list"
        return
    low, high = t.min_length, t.max_length
    if (low is not None and len(value) < low) or (high is not None and len(value) > high):
        yield path, f"{path} must have {_count(low, high)}, not {len(value)}"
    for i, item in enumerate(value):
        yield from _walk(item, t.item_type, f"{path}[{i}]", multiline=multiline, expects=expects)


def _string(
    value: Any, t: mi.StrType, name: str, *, multiline: bool, expects: str | None
) -> str | None:
    if not isinstance(value, str):
        return f"{name} must be text"
    return text_problem(name, value, multiline=multiline) or _limits(value, t, name, expects)


def _limits(value: str, t: mi.StrType, name: str, expects: str | None) -> str | None:
    if t.pattern == r"\S" and not value.strip():
        return f"{name} must not be blank"
    if t.min_length and len(value) < t.min_length:
        if t.min_length == 1:
            return f"{name} must not be empty"
        return f"{name} must be at least {t.min_length} characters"
    if t.max_length is not None and len(value) > t.max_length:
        return f"{name} must be at most {t.max_length} characters"
    if t.pattern is not None and _compiled(t.pattern).search(value) is None:
        return f"{name} must be {expects}" if expects else f"{name} is not in the expected format"
    return None


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _in_range(value: int, t: mi.IntType) -> bool:
    low, high = _bounds(t)
    return (low is None or value >= low) and (high is None or value <= high)


def _bounds(t: mi.IntType) -> tuple[int | None, int | None]:
    low = t.ge if t.ge is not None else None if t.gt is None else t.gt + 1
    high = t.le if t.le is not None else None if t.lt is None else t.lt - 1
    return low, high


def _whole_number(t: mi.IntType) -> str:
    match _bounds(t):
        case (int() as low, int() as high):
            return f"a whole number from {low} to {high}"
        case (int() as low, None):
            return f"a whole number of at least {low}"
        case (None, int() as high):
            return f"a whole number of at most {high}"
        case _:
            return "a whole number"


def _count(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low} to {high} items"
    if low is not None:
        return f"at least {low} item{'s' if low != 1 else ''}"
    return f"at most {high} items"


def _converts(value: Any, to: type) -> bool:
    try:
        msgspec.convert(value, to)
    except msgspec.ValidationError:
        return False
    return True
