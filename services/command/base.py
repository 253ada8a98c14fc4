"""The command base, and `parse()`: a command from plain data, or every problem at once.

Shape (types, lengths, ranges, characters) is checked when a command is built with
`parse()`, which reports every problem at once; rules that span fields live in `check()`;
existence and permission are the handlers' job, business rules the domain's.
"""

from __future__ import annotations

import re
import types
from typing import Annotated, Any, ClassVar, TypeVar, Union, get_args, get_origin

import msgspec
from bridgework.services.command.shape import Problem, camel, has_control_characters, problems
from bridgework.services.context import Role
from bridgework.services.errors import InvalidInput


class Command(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of every command."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COORDINATOR})
    """Who may send it; a handler may check more (whose record it is, a signed token)."""

    abstract: ClassVar[bool] = True
    """Set in the body of a base that is never sent itself (`PartnershipCommand`), so it
    needs no handler; not inherited (see `is_abstract`)."""

    @classmethod
    def is_abstract(cls) -> bool:
        """Whether this class is only a base: its own body says `abstract = True`."""
        return bool(vars(cls).get("abstract", False))

    def check(self) -> None:
        """Rules across fields; raise `InvalidInput` naming the field."""


C = TypeVar("C", bound=Command)

_AT = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
_NAMED = re.compile(r"field `(\w+)`")


def parse(command_type: type[C], data: dict[str, Any]) -> C:
    """Build a command from plain data, or raise `InvalidInput` listing every problem (the
    first one is its `field` and `message`)."""
    try:
        command: C | None = msgspec.convert(data, command_type)
        refused = None
    except msgspec.ValidationError as e:
        command, refused = None, e
    if command is not None and not has_control_characters(data):
        command.check()  # the usual case, at msgspec's speed
        return command
    # Something is wrong, or a string holds a tab or a line break that only some allow.
    found = problems(data, command_type)
    if refused is not None:
        found = found or [_in_msgspecs_words(refused)]  # a shape the walk does not know
        command = _lenient(command_type, data)
    if command is not None:
        try:
            command.check()
        except InvalidInput as e:
            if not any(field == e.field for field, _ in found):
                found += e.problems
        except (TypeError, ValueError, ArithmeticError, AttributeError):
            # A rule may trip over fields that are already reported as wrong.
            if not found:
                raise
    if found:
        raise InvalidInput(found[0][0], found[0][1], found)
    assert command is not None  # noqa: S101 - nothing found means msgspec built it
    return command


def _in_msgspecs_words(error: msgspec.ValidationError) -> Problem:
    raw = str(error)
    match = _AT.search(raw)
    message = raw[: match.start()] if match else raw
    named = _NAMED.search(message)
    field = camel(match["path"] if match and match["path"] else named[1] if named else "")
    return field, f"{field or 'input'}: {message}"


def _lenient(command_type: type[C], data: dict[str, Any]) -> C | None:
    """The command with its fields' types but not their limits, so `check()` can report the
    rules across fields beside the fields' own problems (a field of the wrong type keeps its
    raw value: msgspec does not check what `__init__` is given); None if one is missing."""
    values = {}
    for f in msgspec.structs.fields(command_type):
        if f.encode_name in data:
            raw = data[f.encode_name]
            try:
                values[f.name] = msgspec.convert(raw, _unlimited(f.type))
            except msgspec.ValidationError:
                values[f.name] = raw
    try:
        return command_type(**values)
    except TypeError:
        return None


def _unlimited(annotation: Any) -> Any:
    """`annotation` without its `Meta` limits (nested structs keep theirs)."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _unlimited(args[0])
    if origin is list:
        return list[_unlimited(args[0])]  # type: ignore[misc]
    if origin in {Union, types.UnionType}:
        return Union[tuple(_unlimited(a) for a in args)]  # noqa: UP007
    return annotation
