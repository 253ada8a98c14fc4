"""A re-export shim (issue 11): the view structs now live beside the queries that fill them,
in their areas' modules, and the shared helpers in `projections/db.py`. Removed once every
layer imports them from there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.projections.achievements import CredentialView, PathwayView
from bridgework.projections.attendance import AttendanceView, SessionView
from bridgework.projections.db import Executor, grouped
from bridgework.projections.directory import (
    MentorView,
    OrganisationView,
    PartnershipView,
    ProgramView,
    StudentView,
)
from bridgework.projections.enrolment import EnrolmentEntry, EnrolmentStatus, ProgramEnrolmentView
from bridgework.projections.hours import HoursTotals, HoursView
from bridgework.projections.impact import ImpactBreakdown, ImpactGroup, ImpactNumbers, ImpactReport
from bridgework.projections.mentoring import MatchView, MentorLoadView, ProposalView
from bridgework.projections.outcomes import ProgramOutcomeView, ShowcaseView
from bridgework.projections.partnerships import (
    CheckInView,
    ContributionView,
    FollowUpView,
    LiaisonView,
    MetricValueView,
    PartnerRoleView,
    PartnershipStateView,
    PartnershipTransitionView,
    SuccessMetricView,
)
from bridgework.projections.safeguarding import ClearanceView, ConsentView
from bridgework.projections.surveys import (
    EvaluationView,
    RatingView,
    StudentSurveyView,
    SurveyDelta,
)
from bridgework.projections.timeline import TimelineEntry

if TYPE_CHECKING:
    from bridgework.projections.db import Connection as Connection  # noqa: PLC0414 - re-exported

__all__ = [
    "AttendanceView",
    "CheckInView",
    "ClearanceView",
    "ConsentView",
    "ContributionView",
    "CredentialView",
    "EnrolmentEntry",
    "EnrolmentStatus",
    "EvaluationView",
    "Executor",
    "FollowUpView",
    "HoursTotals",
    "HoursView",
    "ImpactBreakdown",
    "ImpactGroup",
    "ImpactNumbers",
    "ImpactReport",
    "LiaisonView",
    "MatchView",
    "MentorLoadView",
    "MentorView",
    "MetricValueView",
    "OrganisationView",
    "PartnerRoleView",
    "PartnershipStateView",
    "PartnershipTransitionView",
    "PartnershipView",
    "PathwayView",
    "ProgramEnrolmentView",
    "ProgramOutcomeView",
    "ProgramView",
    "ProposalView",
    "RatingView",
    "SessionView",
    "ShowcaseView",
    "StudentSurveyView",
    "StudentView",
    "SuccessMetricView",
    "SurveyDelta",
    "TimelineEntry",
    "grouped",
]
