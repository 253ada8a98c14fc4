"""Dissolved: each handler lives in its area's module beside its command (`directory`,
`partnerships.lifecycle`, `enrolment`, `mentoring`, `outcomes`); this re-export goes in
issue 11's step 5."""

from bridgework.services.directory import (
    launch_program,
    register_mentor,
    register_organization,
    register_student,
)
from bridgework.services.enrolment import (
    applicant,
    complete_enrollment,
    enroll_student,
    leave,
    seated,
    withdraw_student,
)
from bridgework.services.mentoring import assign_mentor
from bridgework.services.outcomes import record_showcase
from bridgework.services.partnerships.lifecycle import form_partnership
from bridgework.services.unit_of_work import CommandResult

__all__ = [
    "CommandResult",
    "applicant",
    "assign_mentor",
    "complete_enrollment",
    "enroll_student",
    "form_partnership",
    "launch_program",
    "leave",
    "record_showcase",
    "register_mentor",
    "register_organization",
    "register_student",
    "seated",
    "withdraw_student",
]
