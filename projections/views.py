"""The shapes read models hand to the API. Queries return these, keyed by id for dataloaders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, TypeVar
from uuid import UUID

import msgspec

V = TypeVar("V")

if TYPE_CHECKING:
    from collections.abc import Iterable

    import asyncpg
    from asyncpg.pool import PoolConnectionProxy

EnrolmentStatus = Literal[
    "APPLIED", "ACCEPTED", "DENIED", "REFUSED", "ENROLLED", "WAITLISTED", "WITHDRAWN", "COMPLETED"
]


class OrganisationView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    kind: str
    registered_at: datetime


class PartnershipView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    organisation_ids: list[UUID]
    goals: list[str]
    formed_at: datetime


class ProgramView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    partnership_id: UUID
    name: str
    kind: str
    capacity: int
    starts_on: date
    ends_on: date
    launched_at: datetime
    seq: int
    """Global position of the launch event: the stable order and cursor of program lists."""
    min_grade: int | None = None
    max_grade: int | None = None
    min_age: int | None = None
    """Ages are on the program's start date."""
    max_age: int | None = None
    prerequisite_ids: list[UUID] = msgspec.field(default_factory=list)
    """Programs a student must have completed first."""


class StudentView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    grade: int | None
    school_id: UUID | None
    registered_at: datetime
    date_of_birth: date | None = None


class MentorView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    organisation_id: UUID
    capacity: int
    active_mentees: int


class EnrolmentEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One student in one program: where they stand now."""

    program_id: UUID
    student_id: UUID
    status: EnrolmentStatus
    waitlist_place: int | None
    mentor_id: UUID | None
    changed_at: datetime
    reason: str = ""
    """Why they were denied or withdrawn, or what a refusal found."""
    rule: str | None = None
    """The eligibility rule that refused them (REFUSED only)."""


class ProgramEnrolmentView(msgspec.Struct, frozen=True, kw_only=True):
    program_id: UUID
    capacity: int
    enrolled: int
    waitlisted: int
    withdrawn: int
    completed: int
    applied: int
    """Open applications."""
    denied: int
    refused: int
    seats_left: int
    waitlist: list[UUID]
    """Waitlisted student ids, first in line first."""


class ProgramOutcomeView(msgspec.Struct, frozen=True, kw_only=True):
    program_id: UUID
    showcases_held: int
    students_presented: int
    """Distinct students who presented at one or more showcases."""
    completions: int
    completion_rate: float | None
    """Completions ÷ students who ever held a seat; None before anyone has."""
    mentors_assigned: int
    """Distinct mentors ever assigned in the program."""
    students_mentored: int


class ShowcaseView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    program_id: UUID
    title: str
    held_on: date
    presenter_ids: list[UUID]
    attending_organisation_ids: list[UUID]


if TYPE_CHECKING:
    # A connection, plain or from a pool: where projections apply events.
    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]


def grouped(views: Iterable[V], attribute: str) -> dict[UUID, list[V]]:
    """Views by the id in their `attribute` (e.g. `student_id`), each list in the order given:
    what a list-per-id dataloader wants."""
    found: dict[UUID, list[V]] = {}
    for view in views:
        found.setdefault(getattr(view, attribute), []).append(view)
    return found


class Executor(Protocol):
    """What the query functions need: an asyncpg pool or connection."""

    async def fetch(self, query: str, *args: Any) -> list[Any]: ...


class SurveyDelta(msgspec.Struct, frozen=True, kw_only=True):
    """Pre and post answers to one survey question, over students who answered both."""

    question: str
    respondents: int
    pre_mean: float | None
    post_mean: float | None
    improved_share: float | None
    """Share of respondents whose post answer is higher than their pre answer."""
    mean_change: float | None = None
    """Mean of post minus pre over the respondents."""


class ImpactNumbers(msgspec.Struct, frozen=True, kw_only=True):
    """What a group of programs achieved with a group of students over a period: the impact
    report's numbers (`projections/impact.py`)."""

    students: int
    """Distinct students who held a seat."""
    seats: int
    """Seats held: a student in two programs counts twice."""
    completions: int
    completion_rate: float | None
    """Completions ÷ seats held."""
    hours_verified: Decimal
    """Verified by supervisors (approved ones included), for days worked in the period."""
    hours_approved: Decimal
    attendance_rate: float | None
    """Present ÷ marks at sessions held in the period (an excused absence is an absence)."""
    credentials: int
    """Earned in the period."""
    pathways: dict[str, int]
    """college_stem, internship_offer, job_offer, apprenticeship → students, in the period."""
    placements: int
    """Students with an internship offer, job offer or apprenticeship in the period."""
    surveys: list[SurveyDelta]
    """Per question, over answer pairs whose post survey falls in the period."""


class ImpactGroup(msgspec.Struct, frozen=True, kw_only=True):
    """One row of a breakdown; `numbers` is None when the group is too small to show."""

    label: str
    numbers: ImpactNumbers | None


class ImpactBreakdown(msgspec.Struct, frozen=True, kw_only=True):
    by: str
    """`program_kind`, or a demographic field such as `gender`."""
    groups: list[ImpactGroup]


class ImpactReport(msgspec.Struct, frozen=True, kw_only=True):
    partnership_id: UUID
    starts_on: date
    ends_on: date
    program_ids: list[UUID]
    """The partnership's programs that ran during the period."""
    totals: ImpactNumbers
    breakdowns: list[ImpactBreakdown]


class PartnershipStateView(msgspec.Struct, frozen=True, kw_only=True):
    partnership_id: UUID
    status: str
    term_starts_on: date | None
    term_ends_on: date | None
    changed_at: datetime


class PartnershipTransitionView(msgspec.Struct, frozen=True, kw_only=True):
    """One step of a partnership's life: formed, activated, suspended, renewed, concluded."""

    partnership_id: UUID
    change: str
    status: str
    reason: str
    term_starts_on: date | None
    term_ends_on: date | None
    at: datetime


class PartnerRoleView(msgspec.Struct, frozen=True, kw_only=True):
    partnership_id: UUID
    organisation_id: UUID
    role: str
    commitments: list[str]


class MetricValueView(msgspec.Struct, frozen=True, kw_only=True):
    value: Decimal
    recorded_for: date
    note: str


class SuccessMetricView(msgspec.Struct, frozen=True, kw_only=True):
    """A charter's success metric, its target and where it stands today."""

    id: UUID
    partnership_id: UUID
    name: str
    measure: str
    target: Decimal
    unit: str
    baseline: Decimal | None
    due_on: date | None
    program_kind: str | None
    defined_on: date
    retired_reason: str | None
    question: str | None
    """The survey question a SURVEY_IMPROVED metric follows (None: every question)."""
    current: Decimal | None
    """Measured from the views, or the latest recorded value of a manual metric."""
    values: list[MetricValueView]
    """Recorded values of a manual metric, oldest first."""


class LiaisonView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    partnership_id: UUID
    organisation_id: UUID
    name: str
    title: str
    email: str | None
    phone: str | None
    appointed_at: datetime
    stood_down_reason: str | None


class ContributionView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    partnership_id: UUID
    organisation_id: UUID
    kind: str
    description: str
    value: Decimal | None
    currency: str | None
    hours: Decimal | None
    contributed_on: date


class FollowUpView(msgspec.Struct, frozen=True, kw_only=True):
    action: str
    owner: str
    due_on: date | None


class CheckInView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    partnership_id: UUID
    held_on: date
    attendees: list[str]
    notes: str
    decisions: list[str]
    follow_ups: list[FollowUpView]


class ClearanceView(msgspec.Struct, frozen=True, kw_only=True):
    """A background check of a mentor or internship host."""

    id: UUID
    mentor_id: UUID
    check_type: str
    provider: str
    result: str
    completed_on: date | None
    expires_on: date | None
    recorded_at: datetime
    current: bool
    """The latest record of its check type for that mentor (older ones are superseded)."""


class ConsentView(msgspec.Struct, frozen=True, kw_only=True):
    """A guardian's consent for a student: for one program, or standing (no program)."""

    id: UUID
    student_id: UUID
    program_id: UUID | None
    guardian_name: str
    relationship: str
    given_on: date
    recorded_at: datetime
    withdrawn_reason: str | None
    withdrawn_at: datetime | None


class TimelineEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One event about a student."""

    student_id: UUID
    position: int
    event_type: str
    program_id: UUID | None
    summary: str
    at: datetime


class MatchView(msgspec.Struct, frozen=True, kw_only=True):
    """A mentor matched with a student in a program, from assignment to its end."""

    program_id: UUID
    student_id: UUID
    mentor_id: UUID
    started_on: date
    ended_on: date | None
    closure_reason: str | None
    note: str
    meetings: int
    meeting_minutes: int
    last_met_on: date | None


class ProposalView(msgspec.Struct, frozen=True, kw_only=True):
    """A match put to a mentor, and their answer."""

    program_id: UUID
    student_id: UUID
    mentor_id: UUID
    proposed_on: date
    answered_on: date | None
    status: str
    """proposed, confirmed, declined, or lapsed (the student left, or was matched otherwise)."""
    reason: str


class MentorLoadView(msgspec.Struct, frozen=True, kw_only=True):
    mentor_id: UUID
    active: int
    closed: int
    closed_early: int
    """Closed for a reason other than goals met."""
    average_days: float | None
    """Average match length, open ones counted to the date asked about."""


class SessionView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    program_id: UUID
    held_on: date
    title: str
    present: int
    excused: int
    unexcused: int


class AttendanceView(msgspec.Struct, frozen=True, kw_only=True):
    """One student's attendance in one program."""

    program_id: UUID
    student_id: UUID
    sessions: int
    """Sessions they were marked at."""
    present: int
    excused: int
    unexcused: int
    rate: float
    """Present ÷ sessions marked (an excused absence is still an absence)."""
    absences_in_a_row: int
    """Sessions missed since they were last present."""


class CredentialView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    student_id: UUID
    program_id: UUID | None
    name: str
    issuer: str
    earned_on: date


class PathwayView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    student_id: UUID
    program_id: UUID | None
    pathway: str
    organisation: str
    on: date


class HoursView(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of a student's hours and where it stands."""

    id: UUID
    student_id: UUID
    program_id: UUID
    worked_on: date
    hours: Decimal
    activity: str
    supervisor_name: str
    supervisor_email: str
    status: str
    """submitted, verified, declined, approved or rejected."""
    reason: str
    """Why the supervisor declined or the school rejected them."""
    note: str
    link_expires_at: datetime | None
    submitted_at: datetime
    verified_at: datetime | None
    """When the supervisor answered (verified or declined)."""
    approved_at: datetime | None
    """When the school answered (approved or rejected)."""


class HoursTotals(msgspec.Struct, frozen=True, kw_only=True):
    """Hours in a program (or of a student), by how far they got."""

    submitted: Decimal
    """Every entry logged, whatever became of it."""
    verified: Decimal
    """Confirmed by the supervisor (approved ones included)."""
    approved: Decimal
    awaiting_supervisor: int
    """Entries still waiting for the supervisor."""
    awaiting_school: int
    """Verified entries the school has not decided on."""


class StudentSurveyView(msgspec.Struct, frozen=True, kw_only=True):
    """A student's pre and post answers to one question of a program's survey."""

    student_id: UUID
    program_id: UUID
    question: str
    pre: int | None
    post: int | None
    change: int | None
    """Post minus pre; None unless both were answered."""
    pre_on: date | None
    post_on: date | None


class RatingView(msgspec.Struct, frozen=True, kw_only=True):
    competency: str
    score: int


class EvaluationView(msgspec.Struct, frozen=True, kw_only=True):
    """A supervisor's evaluation of an intern: the one in force for its phase."""

    id: UUID
    student_id: UUID
    program_id: UUID
    phase: str
    evaluator: str
    evaluated_on: date
    comments: str
    ratings: list[RatingView]
