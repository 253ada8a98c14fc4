"""A partnership's charter: each partner's role and commitments, and the success metrics
it is judged by."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from bridgework.domain.errors import RuleViolated
from bridgework.domain.partnership_state import PartnershipState
from eventsourcing.domain import Aggregate, event


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


class Charter(PartnershipState):
    """Partner roles and success metrics (a mixin of `Partnership`)."""

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
