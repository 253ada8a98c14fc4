"""Commands: what a caller asks for, with the shape rules checked at the edge.

Shape (types, lengths, ranges, characters) is checked when a command is built with
`parse()`, which reports every problem at once; rules that span fields live in `check()`;
existence and permission are the handlers' job, business rules the domain's.
"""

from __future__ import annotations

import re
import types
from datetime import date
from typing import Annotated, Any, ClassVar, TypeVar, Union, get_args, get_origin
from uuid import UUID

import msgspec
from bridgework.domain.organisation import OrganisationKind
from bridgework.domain.program import ProgramKind
from bridgework.services.context import Role
from bridgework.services.errors import InvalidInput
from bridgework.services.validation import (
    EXPECTS,
    MULTILINE,
    Problem,
    camel,
    has_control_characters,
    problems,
)

# Every string type is single-line unless it says MULTILINE: `validation` refuses control
# characters in all of them, and tabs and line breaks in single-line ones.
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Text = Annotated[str, msgspec.Meta(max_length=2000, extra=MULTILINE)]
"""Optional free text: a note, a statement, comments."""
Capacity = Annotated[int, msgspec.Meta(ge=1, le=10_000)]
MentorCapacity = Annotated[int, msgspec.Meta(ge=1, le=50)]
Grade = Annotated[int, msgspec.Meta(ge=0, le=12)]
Prose = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"\S", extra=MULTILINE)]
"""Required free text, not blank: what was done, why something was refused or ended."""
Reason = Prose
"""Why something was refused, withdrawn or ended: required, and not blank."""
Key = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z][a-z0-9_]{0,63}$",
        extra={EXPECTS: "a key of lower-case letters, digits and _ like confidence_lab_techniques"},
    ),
]
"""A stable identifier people choose, e.g. a survey question: `confidence_lab_techniques`."""
Email = Annotated[
    str,
    msgspec.Meta(
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        extra={EXPECTS: "an e-mail address like ana@example.org"},
    ),
]
Phone = Annotated[
    str,
    msgspec.Meta(
        max_length=40,
        pattern=r"^[+0-9 ()./-]{5,}$",
        extra={EXPECTS: "a phone number of at least 5 digits, spaces and +()./-"},
    ),
]
Currency = Annotated[
    str, msgspec.Meta(pattern=r"^[A-Z]{3}$", extra={EXPECTS: "a three-letter currency like EUR"})
]
IdempotencyKey = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
"""Sent beside a command, not in it: checked by the same rules."""


class Command(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of every command."""

    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COORDINATOR})
    """Who may send it; a handler may check more (whose record it is, a signed token)."""

    def check(self) -> None:
        """Rules across fields; raise `InvalidInput` naming the field."""


class RegisterOrganization(Command):
    name: Name
    kind: OrganisationKind


class FormPartnership(Command):
    name: Name
    organization_ids: Annotated[list[UUID], msgspec.Meta(min_length=2, max_length=50)]
    goals: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=500)]], msgspec.Meta(max_length=20)
    ] = []
    proposed: bool = False

    def check(self) -> None:
        if len(set(self.organization_ids)) != len(self.organization_ids):
            raise InvalidInput("organizationIds", "organizationIds lists an organisation twice")


class LaunchProgram(Command):
    partnership_id: UUID
    name: Name
    kind: ProgramKind
    capacity: Capacity
    starts_on: date
    ends_on: date

    def check(self) -> None:
        if self.ends_on < self.starts_on:
            raise InvalidInput("endsOn", "endsOn must not be before startsOn")


class RegisterStudent(Command):
    name: Name
    grade: Grade | None = None
    school_id: UUID | None = None
    date_of_birth: date | None = None
    """Without it the student counts as a minor: enrolment needs a guardian's consent."""

    def check(self) -> None:
        if self.date_of_birth is not None and self.date_of_birth.year < 1900:  # noqa: PLR2004
            raise InvalidInput("dateOfBirth", "dateOfBirth must be after 1900")


class RegisterMentor(Command):
    name: Name
    organization_id: UUID
    capacity: MentorCapacity = 3


class EnrollStudent(Command):
    program_id: UUID
    student_id: UUID


class WithdrawStudent(Command):
    program_id: UUID
    student_id: UUID
    reason: Text = ""


class CompleteEnrollment(Command):
    program_id: UUID
    student_id: UUID


class AssignMentor(Command):
    program_id: UUID
    student_id: UUID
    mentor_id: UUID


class RecordShowcase(Command):
    program_id: UUID
    title: Name
    held_on: date
    presenter_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=1000)]
    attending_organization_ids: Annotated[list[UUID], msgspec.Meta(max_length=50)] = []

    def check(self) -> None:
        if len(set(self.presenter_ids)) != len(self.presenter_ids):
            raise InvalidInput("presenterIds", "presenterIds lists a student twice")


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
