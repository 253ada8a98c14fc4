"""The inventory of personal data: every field of every event, decided once, here.

`PERSONAL` names each field that is personal data and the data subject whose key encrypts
it in the log (`infra/crypto/`); `NOT_PERSONAL` lists the text, date and list fields decided
not to be. `tests/unit/test_personal_inventory.py` fails on any event field of such a type
that is in neither, so a new field cannot be added without deciding.

Data subjects (each has its own data key):
- a **student**: everything they and the school record about them, their guardians'
  names and relationships included (a guardian has no identity here of their own, and
  must go when the student goes);
- an **hours entry**: the supervisor's name and e-mail and the activity of one entry of a
  student's hours. The key belongs to the student too (`owner`): erasing the student
  destroys it, and the log keeps no address of a supervisor once their student is gone;
- a **mentor**, a **liaison**, and the people at a partnership **check-in**: adults
  whose keys exist so they can be erased in turn (no command does that yet).

A field whose key is destroyed reads as its placeholder (`placeholder()`): "erased" for
text, None for an optional value, an empty tuple for a list.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

ERASED = "erased"
"""What an erased text reads as."""


class Subject(StrEnum):
    STUDENT = "student"
    HOURS_ENTRY = "hours_entry"
    MENTOR = "mentor"
    LIAISON = "liaison"
    CHECK_IN = "check_in"


@dataclass(frozen=True)
class Personal:
    """Whose data a field is: `subject`, identified by the event's field `id_field`
    (`originator_id`: the stream's own aggregate); a key made for it also belongs to the
    subject in `owner_field`, whose erasure destroys it too."""

    subject: Subject
    id_field: str = "originator_id"
    owner_field: str | None = None


_STUDENT = Personal(Subject.STUDENT)
_OF_STUDENT = Personal(Subject.STUDENT, "student_id")
_ENTRY = Personal(Subject.HOURS_ENTRY)
_NEW_ENTRY = Personal(Subject.HOURS_ENTRY, owner_field="student_id")
_LIAISON = Personal(Subject.LIAISON, "liaison_id")
_CHECK_IN = Personal(Subject.CHECK_IN, "check_in_id")

PERSONAL: dict[str, dict[str, Personal]] = {
    "StudentRegistered": {"name": _STUDENT, "date_of_birth": _STUDENT},
    "DemographicsReported": {"answers": _STUDENT},
    "GuardianConsentRecorded": {"guardian_name": _STUDENT, "relationship": _STUDENT},
    "GuardianConsentWithdrawn": {"reason": _STUDENT},
    "PathwayRecorded": {"organisation": _STUDENT},
    "EvaluationRecorded": {"evaluator": _STUDENT, "comments": _STUDENT},
    "ApplicationReceived": {"statement": _OF_STUDENT},
    "ApplicationRefused": {"detail": _OF_STUDENT},
    "ApplicationDenied": {"reason": _OF_STUDENT},
    "StudentWithdrawn": {"reason": _OF_STUDENT},
    "MentorMatchDeclined": {"reason": _OF_STUDENT},
    "MentorMatchClosed": {"note": _OF_STUDENT},
    "MeetingLogged": {"notes": _OF_STUDENT},
    "HoursSubmitted": {
        "activity": _NEW_ENTRY,
        "supervisor_name": _NEW_ENTRY,
        "supervisor_email": _NEW_ENTRY,
    },
    "VerificationLinkIssued": {"sent_to": _ENTRY},
    "HoursVerified": {"supervisor_name": _ENTRY},
    "HoursDeclined": {"supervisor_name": _ENTRY, "reason": _ENTRY},
    "HoursApproved": {"note": _ENTRY},
    "HoursRejected": {"reason": _ENTRY},
    "MentorRegistered": {"name": Personal(Subject.MENTOR)},
    "LiaisonAppointed": {"name": _LIAISON, "title": _LIAISON, "email": _LIAISON, "phone": _LIAISON},
    "LiaisonStoodDown": {"reason": _LIAISON},
    "CheckInHeld": {"attendees": _CHECK_IN, "notes": _CHECK_IN, "follow_ups": _CHECK_IN},
}
"""Event type → personal field → whose it is."""

SUBJECT_ONLY: dict[str, frozenset[str]] = {"DemographicsReported": frozenset({"answers"})}
"""Personal fields released to no one but their data subject: a student's self-reported
demographics (everyone else sees only the impact report's suppressed aggregates), so the
log redacts them even for a caller granted personal data."""

NOT_PERSONAL: dict[str, frozenset[str]] = {
    # Organisations, partnerships and programs: names and words of institutions.
    "OrganisationRegistered": frozenset({"name"}),
    "PartnershipFormed": frozenset({"name", "goals"}),
    "ProgramAdded": frozenset({"name"}),
    "PartnershipActivated": frozenset({"reason"}),
    "PartnershipSuspended": frozenset({"reason"}),
    "PartnershipRenewed": frozenset({"term_starts_on", "term_ends_on", "reason"}),
    "PartnershipConcluded": frozenset({"reason"}),
    "PartnerRoleSet": frozenset({"role", "commitments"}),
    "SuccessMetricDefined": frozenset({"name", "unit", "due_on", "program_kind", "question"}),
    "SuccessMetricRetired": frozenset({"reason"}),
    "MetricValueRecorded": frozenset({"recorded_for", "note"}),
    "ContributionRecorded": frozenset({"description", "currency", "contributed_on"}),
    "CheckInHeld": frozenset({"held_on", "decisions"}),
    "ProgramLaunched": frozenset({"name", "starts_on", "ends_on"}),
    "SessionScheduled": frozenset({"held_on", "title"}),
    "AttendanceRecorded": frozenset({"held_on"}),
    "ShowcaseRecorded": frozenset({"title", "held_on"}),
    # The rule a refusal met is a code (`TOO_YOUNG`); its detail is personal.
    "ApplicationRefused": frozenset({"rule"}),
    # What a program awards and when: counted in the impact numbers, kept after erasure.
    "CredentialEarned": frozenset({"name", "issuer", "earned_on"}),
    "PathwayRecorded": frozenset({"on"}),
    # Survey questions are the program's; the scores, tied only to the student's id, stay
    # so impact numbers do not change when a student is erased.
    "SurveyAnswered": frozenset({"answered_on", "answers"}),
    "EvaluationRecorded": frozenset({"evaluated_on", "ratings"}),
    "GuardianConsentRecorded": frozenset({"given_on"}),
    # The erasure's own reason is its audit; the domain refuses one that names the student.
    "StudentErased": frozenset({"reason"}),
    "MeetingLogged": frozenset({"met_on"}),
    # A background check's type, provider and dates say nothing without the mentor's name.
    "ClearanceRecorded": frozenset({"check_type", "provider", "completed_on", "expires_on"}),
    "HoursSubmitted": frozenset({"worked_on"}),
    # A hash of a random secret; the expiry of a link.
    "VerificationLinkIssued": frozenset({"token_hash", "expires_at"}),
}
"""Event type → the text, date and list fields decided not to be personal data."""

_EMPTY: tuple[()] = ()


def placeholder(annotation: Any) -> Any:
    """What an erased value of type `annotation` reads as (`TypeError` for a type without
    one: a personal field of that type cannot be erased)."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        return None
    if annotation is str:
        return ERASED
    if origin in (tuple, list):
        return _EMPTY
    if annotation is date:
        return date.min
    raise TypeError(f"no placeholder for a personal value of type {annotation!r}")
