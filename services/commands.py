"""Commands: what a caller asks for, with the shape rules checked at the edge.

Shape (types, lengths, ranges) is checked by msgspec when a command is built with
`parse()`; rules that span fields live in `check()`; existence and permission are the
handlers' job, business rules the domain's.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, ClassVar, TypeVar
from uuid import UUID

import msgspec
from bridgework.domain.organisation import OrganisationKind
from bridgework.domain.program import ProgramKind
from bridgework.services.context import Role
from bridgework.services.errors import InvalidInput

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Text = Annotated[str, msgspec.Meta(max_length=2000)]
Capacity = Annotated[int, msgspec.Meta(ge=1, le=10_000)]
MentorCapacity = Annotated[int, msgspec.Meta(ge=1, le=50)]
Grade = Annotated[int, msgspec.Meta(ge=0, le=12)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"\S")]
"""Why something was refused, withdrawn or ended: required, and not blank."""
Key = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
"""A stable identifier people choose, e.g. a survey question: `confidence_lab_techniques`."""


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


def _camel(path: str) -> str:
    """`presenter_ids[0]` → `presenterIds[0]`: the names GraphQL callers use."""
    return re.sub(r"_([a-z])", lambda m: m[1].upper(), path)


def parse(command_type: type[C], data: dict[str, Any]) -> C:
    """Build a command from plain data, or raise `InvalidInput` naming the field."""
    try:
        command = msgspec.convert(data, command_type)
    except msgspec.ValidationError as e:
        raw = str(e)
        match = _AT.search(raw)
        message = raw[: match.start()] if match else raw
        named = _NAMED.search(message)
        field = _camel(match["path"] if match and match["path"] else named[1] if named else "")
        if "matching regex" in message:
            message = "must not be blank"
        raise InvalidInput(field, f"{field or 'input'}: {message}") from None
    command.check()
    return command
