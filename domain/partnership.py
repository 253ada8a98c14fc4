"""Partnerships: two or more organisations running programs together, under a charter.

A partnership is proposed or formed active; it can be suspended and reactivated, renewed
for a new term, and concluded, each time with a reason. Its charter names each partner's
role and commitments and the success metrics it is judged by; liaisons, contributions and
check-ins record how the partners work together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from bridgework.domain.base import BridgeworkAggregate, day
from bridgework.domain.errors import RuleViolated
from eventsourcing.domain import Aggregate, event


class PartnershipStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CONCLUDED = "concluded"


class MetricMeasure(StrEnum):
    """What a success metric counts. All but MANUAL are measured from the log."""

    ENROLMENTS = "enrolments"
    """Distinct students who held a seat in the partnership's programs."""
    COMPLETIONS = "completions"
    COMPLETION_RATE = "completion_rate"
    """Completions ÷ students who held a seat, as a percentage."""
    PRESENTERS = "presenters"
    """Distinct students who presented at a showcase."""
    STUDENTS_MENTORED = "students_mentored"
    CREDENTIALS = "credentials"
    """Credentials earned through the partnership's programs."""
    PLACEMENTS = "placements"
    """Distinct students with an internship offer, job offer or apprenticeship after one of
    the partnership's programs."""
    HOURS_VERIFIED = "hours_verified"
    """Hours students logged that their supervisors verified (approved ones included)."""
    HOURS_APPROVED = "hours_approved"
    ATTENDANCE_RATE = "attendance_rate"
    """Sessions attended ÷ sessions marked, as a percentage."""
    SURVEY_IMPROVED = "survey_improved"
    """Share of students whose post-survey answer beat their pre-survey answer, as a
    percentage: to the metric's `question`, or to any question when it names none."""
    MANUAL = "manual"
    """Values recorded by hand, e.g. from a survey run outside Bridgework."""


PERCENTAGES = frozenset(
    {MetricMeasure.COMPLETION_RATE, MetricMeasure.ATTENDANCE_RATE, MetricMeasure.SURVEY_IMPROVED}
)


class ContributionKind(StrEnum):
    FUNDING = "funding"
    EQUIPMENT = "equipment"
    SOFTWARE = "software"
    VOLUNTEER_HOURS = "volunteer_hours"
    SPACE = "space"


@dataclass(frozen=True)
class FollowUp:
    """An action a check-in agreed on: who does what, by when."""

    action: str
    owner: str
    due_on: date | None = None


class Partnership(BridgeworkAggregate):
    STREAM = "partnership"

    class PartnershipFormed(Aggregate.Created):
        """v2 adds `status` (proposed or active); every v1 partnership was formed active."""

        class_version = 2
        name: str
        organisation_ids: tuple[UUID, ...]
        goals: tuple[str, ...]
        status: PartnershipStatus

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> dict[str, Any]:
            state["status"] = PartnershipStatus.ACTIVE.value
            return state

    class ProgramAdded(Aggregate.Event):
        """A program launched under the partnership. Recorded on the partnership's own
        stream so a launch and a concurrent suspension or conclusion cannot both win."""

        program_id: UUID
        name: str

    class PartnershipActivated(Aggregate.Event):
        reason: str

    class PartnershipSuspended(Aggregate.Event):
        reason: str

    class PartnershipRenewed(Aggregate.Event):
        term_starts_on: date
        term_ends_on: date
        reason: str

    class PartnershipConcluded(Aggregate.Event):
        reason: str

    class PartnerRoleSet(Aggregate.Event):
        organisation_id: UUID
        role: str
        commitments: tuple[str, ...]

    class SuccessMetricDefined(Aggregate.Event):
        """v2 adds `question`, the survey question a SURVEY_IMPROVED metric follows."""

        class_version = 2
        metric_id: UUID
        name: str
        measure: MetricMeasure
        target: Decimal
        unit: str
        baseline: Decimal | None
        due_on: date | None
        program_kind: str | None
        question: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> dict[str, Any]:
            state["question"] = None
            return state

    class SuccessMetricRetired(Aggregate.Event):
        metric_id: UUID
        reason: str

    class MetricValueRecorded(Aggregate.Event):
        metric_id: UUID
        value: Decimal
        recorded_for: date
        note: str

    class LiaisonAppointed(Aggregate.Event):
        liaison_id: UUID
        organisation_id: UUID
        name: str
        title: str
        email: str | None
        phone: str | None

    class LiaisonStoodDown(Aggregate.Event):
        liaison_id: UUID
        reason: str

    class ContributionRecorded(Aggregate.Event):
        contribution_id: UUID
        organisation_id: UUID
        kind: ContributionKind
        description: str
        value: Decimal | None
        """Money given (funding) or the estimated value of what was given, in `currency`."""
        currency: str | None
        hours: Decimal | None
        """Volunteer hours given."""
        contributed_on: date

    class CheckInHeld(Aggregate.Event):
        check_in_id: UUID
        held_on: date
        attendees: tuple[str, ...]
        notes: str
        decisions: tuple[str, ...]
        follow_ups: tuple[FollowUp, ...]

    @event(PartnershipFormed)
    def __init__(
        self,
        name: str,
        organisation_ids: tuple[UUID, ...],
        goals: tuple[str, ...],
        status: PartnershipStatus,
    ) -> None:
        self.name = name
        self.organisation_ids = organisation_ids
        self.goals = goals
        self.status = status
        self.metrics: dict[UUID, MetricMeasure] = {}
        self.retired_metrics: set[UUID] = set()
        self.liaisons: set[UUID] = set()
        self.check_in_ids: set[UUID] = set()

    @classmethod
    def form(
        cls,
        *,
        id: UUID,
        name: str,
        organisation_ids: tuple[UUID, ...],
        goals: tuple[str, ...],
        at: datetime,
        proposed: bool = False,
    ) -> Partnership:
        """Form a partnership, active at once, or only proposed until the partners sign."""
        if len(set(organisation_ids)) < 2:  # noqa: PLR2004 - a partnership is two or more
            raise RuleViolated(
                "PARTNERSHIP_NEEDS_TWO_ORGANISATIONS",
                f"Partnership '{name}' needs at least two different organisations",
            )
        if len(set(organisation_ids)) != len(organisation_ids):
            raise RuleViolated(
                "DUPLICATE_ORGANISATION",
                f"Partnership '{name}' lists the same organisation more than once",
            )
        status = PartnershipStatus.PROPOSED if proposed else PartnershipStatus.ACTIVE
        return cls._create(
            cls.PartnershipFormed,
            id=id,
            name=name,
            organisation_ids=organisation_ids,
            goals=goals,
            status=status,
            timestamp=at,
        )

    def includes(self, organisation_id: UUID) -> bool:
        return organisation_id in self.organisation_ids

    # Lifecycle ---------------------------------------------------------------------------

    def _refuse_unless(self, doing: str, *allowed: PartnershipStatus) -> None:
        if self.status not in allowed:
            code = (
                "PARTNERSHIP_CONCLUDED"
                if self.status is PartnershipStatus.CONCLUDED
                else "PARTNERSHIP_STATUS"
            )
            raise RuleViolated(
                code, f"Partnership '{self.name}' is {self.status}, so it cannot be {doing}"
            )

    def add_program(self, *, program_id: UUID, name: str, at: datetime) -> None:
        """Programs launch only while the partnership is active."""
        self._refuse_unless(f"given a new program ('{name}')", PartnershipStatus.ACTIVE)
        self._add_program(program_id=program_id, name=name, timestamp=at)

    @event(ProgramAdded)
    def _add_program(self, program_id: UUID, name: str, timestamp: datetime) -> None:
        pass

    def activate(self, *, reason: str, at: datetime) -> None:
        """Start a proposed partnership, or resume a suspended one."""
        self._refuse_unless("activated", PartnershipStatus.PROPOSED, PartnershipStatus.SUSPENDED)
        self._activate(reason=reason, timestamp=at)

    @event(PartnershipActivated)
    def _activate(self, reason: str, timestamp: datetime) -> None:
        self.status = PartnershipStatus.ACTIVE

    def suspend(self, *, reason: str, at: datetime) -> None:
        self._refuse_unless("suspended", PartnershipStatus.ACTIVE)
        self._suspend(reason=reason, timestamp=at)

    @event(PartnershipSuspended)
    def _suspend(self, reason: str, timestamp: datetime) -> None:
        self.status = PartnershipStatus.SUSPENDED

    def renew(self, *, term_starts_on: date, term_ends_on: date, reason: str, at: datetime) -> None:
        """Renew an active partnership for a new term."""
        self._refuse_unless("renewed", PartnershipStatus.ACTIVE)
        if term_ends_on <= term_starts_on:
            raise RuleViolated(
                "TERM_ENDS_BEFORE_IT_STARTS",
                f"A term of '{self.name}' cannot end ({day(term_ends_on)}) on or before it "
                f"starts ({day(term_starts_on)})",
            )
        self._renew(
            term_starts_on=term_starts_on, term_ends_on=term_ends_on, reason=reason, timestamp=at
        )

    @event(PartnershipRenewed)
    def _renew(
        self, term_starts_on: date, term_ends_on: date, reason: str, timestamp: datetime
    ) -> None:
        pass

    def conclude(self, *, reason: str, at: datetime) -> None:
        self._refuse_unless(
            "concluded",
            PartnershipStatus.PROPOSED,
            PartnershipStatus.ACTIVE,
            PartnershipStatus.SUSPENDED,
        )
        self._conclude(reason=reason, timestamp=at)

    @event(PartnershipConcluded)
    def _conclude(self, reason: str, timestamp: datetime) -> None:
        self.status = PartnershipStatus.CONCLUDED

    # Charter -----------------------------------------------------------------------------

    def _open(self, doing: str) -> None:
        self._refuse_unless(
            doing, PartnershipStatus.PROPOSED, PartnershipStatus.ACTIVE, PartnershipStatus.SUSPENDED
        )

    def _partner(self, organisation_id: UUID, what: str) -> None:
        if not self.includes(organisation_id):
            raise RuleViolated(
                "ORGANISATION_NOT_A_PARTNER",
                f"{what} must come from a partner of '{self.name}'",
            )

    def set_partner_role(
        self, *, organisation_id: UUID, role: str, commitments: tuple[str, ...], at: datetime
    ) -> None:
        """Say what a partner does and commits to (replacing what was said before)."""
        self._open("given partner roles")
        self._partner(organisation_id, "A partner role")
        self._set_role(
            organisation_id=organisation_id, role=role, commitments=commitments, timestamp=at
        )

    @event(PartnerRoleSet)
    def _set_role(
        self, organisation_id: UUID, role: str, commitments: tuple[str, ...], timestamp: datetime
    ) -> None:
        pass

    def define_metric(
        self,
        *,
        metric_id: UUID,
        name: str,
        measure: MetricMeasure,
        target: Decimal,
        unit: str,
        baseline: Decimal | None,
        due_on: date | None,
        program_kind: str | None,
        at: datetime,
        question: str | None = None,
    ) -> None:
        self._open("given success metrics")
        if measure in PERCENTAGES and target > 100:  # noqa: PLR2004
            raise RuleViolated(
                "TARGET_OUT_OF_RANGE",
                f"Metric '{name}': {MetricMeasure(measure).name} is a percentage, at most 100%",
            )
        self._define_metric(
            metric_id=metric_id,
            name=name,
            measure=measure,
            target=target,
            unit=unit,
            baseline=baseline,
            due_on=due_on,
            program_kind=program_kind,
            question=question,
            timestamp=at,
        )

    @event(SuccessMetricDefined)
    def _define_metric(
        self,
        metric_id: UUID,
        name: str,
        measure: MetricMeasure,
        target: Decimal,
        unit: str,
        baseline: Decimal | None,
        due_on: date | None,
        program_kind: str | None,
        question: str | None,
        timestamp: datetime,
    ) -> None:
        self.metrics[metric_id] = measure

    def _metric(self, metric_id: UUID) -> MetricMeasure:
        if metric_id not in self.metrics:
            raise RuleViolated("UNKNOWN_METRIC", f"'{self.name}' has no success metric {metric_id}")
        if metric_id in self.retired_metrics:
            raise RuleViolated("METRIC_RETIRED", f"That metric of '{self.name}' is retired")
        return self.metrics[metric_id]

    def retire_metric(self, *, metric_id: UUID, reason: str, at: datetime) -> None:
        self._open("changed")
        self._metric(metric_id)
        self._retire_metric(metric_id=metric_id, reason=reason, timestamp=at)

    @event(SuccessMetricRetired)
    def _retire_metric(self, metric_id: UUID, reason: str, timestamp: datetime) -> None:
        self.retired_metrics.add(metric_id)

    def record_metric_value(
        self, *, metric_id: UUID, value: Decimal, recorded_for: date, note: str, at: datetime
    ) -> None:
        """Record a value of a MANUAL metric; measured ones come from the log."""
        self._open("given metric values")
        if self._metric(metric_id) is not MetricMeasure.MANUAL:
            raise RuleViolated(
                "METRIC_IS_MEASURED",
                f"That metric of '{self.name}' is measured from the log, not recorded by hand",
            )
        self._record_value(
            metric_id=metric_id, value=value, recorded_for=recorded_for, note=note, timestamp=at
        )

    @event(MetricValueRecorded)
    def _record_value(
        self, metric_id: UUID, value: Decimal, recorded_for: date, note: str, timestamp: datetime
    ) -> None:
        pass

    # Working together --------------------------------------------------------------------

    def appoint_liaison(
        self,
        *,
        liaison_id: UUID,
        organisation_id: UUID,
        name: str,
        title: str,
        email: str | None,
        phone: str | None,
        at: datetime,
    ) -> None:
        self._open("given liaisons")
        self._partner(organisation_id, "A liaison")
        self._appoint(
            liaison_id=liaison_id,
            organisation_id=organisation_id,
            name=name,
            title=title,
            email=email,
            phone=phone,
            timestamp=at,
        )

    @event(LiaisonAppointed)
    def _appoint(
        self,
        liaison_id: UUID,
        organisation_id: UUID,
        name: str,
        title: str,
        email: str | None,
        phone: str | None,
        timestamp: datetime,
    ) -> None:
        self.liaisons.add(liaison_id)

    def stand_down_liaison(self, *, liaison_id: UUID, reason: str, at: datetime) -> None:
        if liaison_id not in self.liaisons:
            raise RuleViolated(
                "NOT_A_LIAISON", f"{liaison_id} is not a current liaison of '{self.name}'"
            )
        self._stand_down(liaison_id=liaison_id, reason=reason, timestamp=at)

    @event(LiaisonStoodDown)
    def _stand_down(self, liaison_id: UUID, reason: str, timestamp: datetime) -> None:
        self.liaisons.discard(liaison_id)

    def record_contribution(
        self,
        *,
        contribution_id: UUID,
        organisation_id: UUID,
        kind: ContributionKind,
        description: str,
        value: Decimal | None,
        currency: str | None,
        hours: Decimal | None,
        contributed_on: date,
        at: datetime,
    ) -> None:
        self._open("given contributions")
        self._partner(organisation_id, "A contribution")
        if kind is ContributionKind.FUNDING and (value is None or currency is None):
            raise RuleViolated("FUNDING_NEEDS_AMOUNT", "Funding needs an amount and its currency")
        if kind is ContributionKind.VOLUNTEER_HOURS and hours is None:
            raise RuleViolated("HOURS_NEEDED", "Volunteer hours need the number of hours")
        self._contribute(
            contribution_id=contribution_id,
            organisation_id=organisation_id,
            kind=kind,
            description=description,
            value=value,
            currency=currency,
            hours=hours,
            contributed_on=contributed_on,
            timestamp=at,
        )

    @event(ContributionRecorded)
    def _contribute(
        self,
        contribution_id: UUID,
        organisation_id: UUID,
        kind: ContributionKind,
        description: str,
        value: Decimal | None,
        currency: str | None,
        hours: Decimal | None,
        contributed_on: date,
        timestamp: datetime,
    ) -> None:
        pass

    def hold_check_in(
        self,
        *,
        check_in_id: UUID,
        held_on: date,
        attendees: tuple[str, ...],
        notes: str,
        decisions: tuple[str, ...],
        follow_ups: tuple[FollowUp, ...],
        at: datetime,
    ) -> None:
        self._open("given check-ins")
        if held_on > at.date():
            raise RuleViolated(
                "CHECK_IN_IN_FUTURE",
                f"A check-in of '{self.name}' cannot be recorded before it is held "
                f"({day(held_on)})",
            )
        self._check_in(
            check_in_id=check_in_id,
            held_on=held_on,
            attendees=attendees,
            notes=notes,
            decisions=decisions,
            follow_ups=follow_ups,
            timestamp=at,
        )

    @event(CheckInHeld)
    def _check_in(
        self,
        check_in_id: UUID,
        held_on: date,
        attendees: tuple[str, ...],
        notes: str,
        decisions: tuple[str, ...],
        follow_ups: tuple[FollowUp, ...],
        timestamp: datetime,
    ) -> None:
        self.check_in_ids.add(check_in_id)
