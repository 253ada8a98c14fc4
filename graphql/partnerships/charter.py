"""A partnership's charter in the API: each partner's role, the success metrics with their
targets and how they stand, and the partnership's health on a date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import strawberry
from bridgework.graphql import loaders
from bridgework.graphql.context import Info
from bridgework.graphql.directory.organizations import Organization, organization_of
from bridgework.graphql.directory.programs import Program
from bridgework.graphql.enums import MetricHealth, MetricMeasure, PartnershipStatus, ProgramKind
from bridgework.graphql.partnerships.collaboration import (
    CHECK_INS,
    CONTRIBUTIONS,
    ContributionTotal,
)
from bridgework.graphql.partnerships.lifecycle import PROGRAMS, STATE, PartnershipPayload, updated
from bridgework.graphql.run import IDEMPOTENCY_KEY, run
from bridgework.graphql.shapes import copied, ident
from bridgework.projections.db import today
from bridgework.projections.partnerships import health as rules
from bridgework.projections.partnerships.charter import (
    PartnerRoleView,
    SuccessMetricView,
    partner_roles,
    success_metrics,
)
from bridgework.services.partnerships.charter import (
    DefineSuccessMetric,
    RecordMetricValue,
    RetireSuccessMetric,
    SetPartnerRole,
)

ROLES = loaders.many(partner_roles)
METRICS = loaders.many(success_metrics)


@strawberry.type
class MetricValue:
    """A value of a manual metric, as of a date."""

    value: Decimal
    recorded_for: date
    note: str


@strawberry.type
class SuccessMetric:
    """A success metric in a partnership's charter, with where it stands."""

    id: strawberry.ID
    name: str
    measure: MetricMeasure
    target: Decimal
    unit: str
    baseline: Decimal | None
    due_on: date | None
    program_kind: ProgramKind | None = strawberry.field(
        description="Measured over programs of this kind only; null for all."
    )
    question: str | None = strawberry.field(
        description="SURVEY_IMPROVED: the survey question followed; null for every question."
    )
    retired_reason: str | None
    current: Decimal | None = strawberry.field(
        description="Measured now, or the latest recorded value; null if none yet."
    )
    values: list[MetricValue] = strawberry.field(description="Recorded values, oldest first.")
    view: strawberry.Private[SuccessMetricView]

    @classmethod
    def from_view(cls, v: SuccessMetricView) -> SuccessMetric:
        kind = None if v.program_kind is None else ProgramKind(v.program_kind)
        values = [
            MetricValue(value=x.value, recorded_for=x.recorded_for, note=x.note) for x in v.values
        ]
        return copied(
            cls,
            v,
            id=ident(v.id),
            measure=MetricMeasure(v.measure),
            program_kind=kind,
            values=values,
            view=v,
        )

    @strawberry.field(description="From the baseline (0 if none) to the target: 0 to 1.")
    def progress(self) -> float | None:
        return rules.progress(self.view)

    @strawberry.field(description="How the metric stands on `asOf` (default: today).")
    def health(self, as_of: date | None = None) -> MetricHealth:
        return rules.health(self.view, as_of or today())


@strawberry.type
class PartnerRole:
    """What a partner does in the partnership and commits to."""

    organization_id: strawberry.ID
    role: str
    commitments: list[str]

    @classmethod
    def from_view(cls, v: PartnerRoleView) -> PartnerRole:
        return copied(cls, v, organization_id=ident(v.organisation_id))

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        return await organization_of(info, UUID(self.organization_id))


async def roles_of(info: Info, partnership_id: UUID) -> list[PartnerRole]:
    return [PartnerRole.from_view(r) for r in await ROLES.load(info, partnership_id)]


async def metrics_of(info: Info, partnership_id: UUID) -> list[SuccessMetric]:
    return [SuccessMetric.from_view(m) for m in await METRICS.load(info, partnership_id)]


@strawberry.type
class PartnershipHealth:
    """How a partnership is doing on a date: its metrics, partners' contributions,
    check-ins and programs."""

    as_of: date
    status: PartnershipStatus | None
    metrics: list[SuccessMetric]
    metrics_met: int
    metrics_on_track: int
    metrics_behind: int
    metrics_missed: int
    last_check_in_on: date | None
    days_since_last_check_in: int | None
    contributions_by_partner: list[ContributionTotal]
    active_programs: list[Program] = strawberry.field(description="Programs running on `asOf`.")


async def partnership_health(info: Info, pid: UUID, as_of: date) -> PartnershipHealth:
    state = await STATE.load(info, pid)
    view = rules.partnership_health(
        await METRICS.load(info, pid),
        await CHECK_INS.load(info, pid),
        await CONTRIBUTIONS.load(info, pid),
        await PROGRAMS.load(info, pid),
        as_of,
    )
    return PartnershipHealth(
        as_of=as_of,
        status=None if state is None else PartnershipStatus(state.status),
        metrics=[SuccessMetric.from_view(m) for m in view.metrics],
        metrics_met=view.met,
        metrics_on_track=view.on_track,
        metrics_behind=view.behind,
        metrics_missed=view.missed,
        last_check_in_on=view.last_check_in_on,
        days_since_last_check_in=view.days_since_last_check_in,
        contributions_by_partner=[
            ContributionTotal.from_total(t) for t in view.contributions_by_partner
        ],
        active_programs=[Program.from_view(p) for p in view.active_programs],
    )


@strawberry.input
class SetPartnerRoleInput:
    """A partner's role and commitments (replacing any said before)."""

    partnership_id: strawberry.ID
    organization_id: strawberry.ID
    role: str
    commitments: list[str] = strawberry.field(default_factory=list, description="Up to 50.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class DefineSuccessMetricInput:
    """A success metric and its target, e.g. 'robotics club enrolment +40% by June' as
    ENROLMENTS with baseline 10, target 14, due in June."""

    partnership_id: strawberry.ID
    name: str
    measure: MetricMeasure
    target: Decimal
    unit: str = ""
    baseline: Decimal | None = None
    due_on: date | None = None
    program_kind: ProgramKind | None = strawberry.field(
        default=None, description="Measure over programs of this kind only."
    )
    question: str | None = strawberry.field(
        default=None,
        description="SURVEY_IMPROVED only: the survey question's key, e.g. "
        "'confidence_lab_techniques'; omit it to count every question.",
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RetireSuccessMetricInput:
    partnership_id: strawberry.ID
    metric_id: strawberry.ID
    reason: str
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RecordMetricValueInput:
    """A value of a MANUAL metric, as of a date."""

    partnership_id: strawberry.ID
    metric_id: strawberry.ID
    value: Decimal
    recorded_for: date
    note: str = ""
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Say what a partner does and commits to.")
    async def set_partner_role(self, info: Info, input: SetPartnerRoleInput) -> PartnershipPayload:
        return await run(info, SetPartnerRole, input, updated(input))

    @strawberry.mutation(description="Add a success metric with its target to the charter.")
    async def define_success_metric(
        self, info: Info, input: DefineSuccessMetricInput
    ) -> PartnershipPayload:
        return await run(info, DefineSuccessMetric, input, updated(input))

    @strawberry.mutation(description="Take a metric out of the charter; its history stays.")
    async def retire_success_metric(
        self, info: Info, input: RetireSuccessMetricInput
    ) -> PartnershipPayload:
        return await run(info, RetireSuccessMetric, input, updated(input))

    @strawberry.mutation(description="Record a value of a manual metric.")
    async def record_metric_value(
        self, info: Info, input: RecordMetricValueInput
    ) -> PartnershipPayload:
        return await run(info, RecordMetricValue, input, updated(input))
