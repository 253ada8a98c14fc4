"""Every enum the API serves, in one place. The domain's own enums are served as they are
(a new member reaches the API without a copy to keep in step); the rest name the read
models' statuses. Only this module (and `errors.py`) may import the domain."""

from __future__ import annotations

from enum import Enum

import strawberry
from bridgework.domain.achievements import Pathway
from bridgework.domain.attendance import Attendance
from bridgework.domain.charter import MetricMeasure
from bridgework.domain.collaboration import ContributionKind
from bridgework.domain.hours import HoursStatus
from bridgework.domain.mentoring import MatchClosure
from bridgework.domain.organisation import OrganisationKind
from bridgework.domain.partnership_state import PartnershipStatus
from bridgework.domain.program import ProgramKind
from bridgework.domain.safeguarding import ClearanceResult
from bridgework.domain.student import Demographic
from bridgework.domain.surveys import EvaluationPhase, SurveyPhase
from bridgework.projections.partnerships.health import MetricHealth

__all__ = [
    "Attendance",
    "ClearanceResult",
    "ContributionKind",
    "Demographic",
    "EnrollmentStatus",
    "EvaluationPhase",
    "HoursStatus",
    "MatchClosure",
    "MetricHealth",
    "MetricMeasure",
    "OrganisationKind",
    "PartnershipStatus",
    "Pathway",
    "ProgramKind",
    "ProposalStatus",
    "SurveyPhase",
]


@strawberry.enum
class EnrollmentStatus(Enum):
    """Where a student stands in a program: ACCEPTED is passing (a seat or the waitlist follows)."""

    APPLIED = "APPLIED"
    ACCEPTED = "ACCEPTED"
    DENIED = "DENIED"
    REFUSED = "REFUSED"
    ENROLLED = "ENROLLED"
    WAITLISTED = "WAITLISTED"
    WITHDRAWN = "WITHDRAWN"
    COMPLETED = "COMPLETED"


@strawberry.enum
class ProposalStatus(Enum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    LAPSED = "lapsed"


_SERVED: tuple[tuple[type[Enum], str, str | None], ...] = (
    (OrganisationKind, "OrganizationKind", "What kind of organisation takes part in partnerships."),
    (ProgramKind, "ProgramKind", "What kind of program a partnership runs."),
    (PartnershipStatus, "PartnershipStatus", "Where a partnership is in its life."),
    (
        MetricMeasure,
        "MetricMeasure",
        "What a success metric counts; all but MANUAL are measured from the views.",
    ),
    (MetricHealth, "MetricHealth", "How a metric stands against its target on a date."),
    (ContributionKind, "ContributionKind", "What a partner gave."),
    (ClearanceResult, "ClearanceResult", "The outcome of a background check."),
    (MatchClosure, "MatchClosure", "Why a mentor match ended."),
    (Attendance, "AttendanceStatus", None),
    (Pathway, "Pathway", "Where a student went after a program."),
    (HoursStatus, "HoursStatus", "Where an entry of hours stands."),
    (SurveyPhase, "SurveyPhase", "Before a program or after it."),
    (EvaluationPhase, "EvaluationPhase", "Halfway through an internship, or at its end."),
    (Demographic, "Demographic", "Optional, self-reported fields a student may give."),
)
"""Each served enum, its GraphQL name, and its description in the schema."""

for _enum, _name, _description in _SERVED:
    strawberry.enum(_enum, name=_name, description=_description)
