"""Dissolved: the command base, `parse()` and the shared field types are in
`bridgework.services.command`, each command in its area's module beside its handler; this
re-export goes in issue 11's step 5."""

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
from bridgework.services.directory import (
    LaunchProgram,
    RegisterMentor,
    RegisterOrganization,
    RegisterStudent,
)
from bridgework.services.enrolment import CompleteEnrollment, EnrollStudent, WithdrawStudent
from bridgework.services.mentoring import AssignMentor
from bridgework.services.outcomes import RecordShowcase
from bridgework.services.partnerships.lifecycle import FormPartnership

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
