"""Moved: the command base, `parse()` and the shared field types to
`bridgework.services.command`; each area's commands to its own module."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from bridgework.domain.organisation import OrganisationKind
from bridgework.domain.program import ProgramKind
from bridgework.services.command import (
    Capacity,
    Command,
    Currency,
    Email,
    Grade,
    IdempotencyKey,
    Key,
    MentorCapacity,
    Name,
    Phone,
    Prose,
    Reason,
    Text,
    parse,
)
from bridgework.services.errors import InvalidInput


class RegisterOrganization(Command):
    name: Name
    kind: OrganisationKind


class FormPartnership(Command):
    name: Name
    organization_ids: Annotated[list[UUID], msgspec.Meta(min_length=2, max_length=50)]
    goals: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=500)]], msgspec.Meta(max_length=20)
    ] = msgspec.field(default_factory=list)
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
    attending_organization_ids: Annotated[list[UUID], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )

    def check(self) -> None:
        if len(set(self.presenter_ids)) != len(self.presenter_ids):
            raise InvalidInput("presenterIds", "presenterIds lists a student twice")


__all__ = [
    "AssignMentor",
    "Capacity",
    "Command",
    "CompleteEnrollment",
    "Currency",
    "Email",
    "EnrollStudent",
    "FormPartnership",
    "Grade",
    "IdempotencyKey",
    "Key",
    "LaunchProgram",
    "MentorCapacity",
    "Name",
    "Phone",
    "Prose",
    "Reason",
    "RecordShowcase",
    "RegisterMentor",
    "RegisterOrganization",
    "RegisterStudent",
    "Text",
    "WithdrawStudent",
    "parse",
]
