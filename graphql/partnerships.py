"""Partnerships in the API: their life, charter, liaisons, contributions, check-ins and
health, and the mutations that change them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from bridgework.domain.partnership import MetricMeasure
from bridgework.graphql.errors import Failure
from bridgework.graphql.mutations import IDEMPOTENCY_KEY, Handler, Recorded, run, viewed
from bridgework.graphql.types import Info, Organization, Partnership, Program, ProgramKind
from bridgework.projections.views import SuccessMetricView
from bridgework.services import partnerships as ps
from bridgework.services.unit_of_work import CommandResult

if TYPE_CHECKING:
    from bridgework.projections.views import (
        CheckInView,
        ContributionView,
        LiaisonView,
        PartnerRoleView,
        PartnershipTransitionView,
    )


@strawberry.enum
class PartnershipStatus(Enum):
    """Where a partnership is in its life."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CONCLUDED = "concluded"


strawberry.enum(
    MetricMeasure,
    description="What a success metric counts; all but MANUAL are measured from the views.",
)
"""The domain's own enum: a new measure reaches the API without a copy to keep in step."""


@strawberry.enum
class MetricHealth(Enum):
    """How a metric stands against its target on a date."""

    MET = "MET"
    ON_TRACK = "ON_TRACK"
    BEHIND = "BEHIND"
    MISSED = "MISSED"
    NO_DATA = "NO_DATA"
    RETIRED = "RETIRED"


@strawberry.enum
class ContributionKind(Enum):
    """What a partner gave."""

    FUNDING = "funding"
    EQUIPMENT = "equipment"
    SOFTWARE = "software"
    VOLUNTEER_HOURS = "volunteer_hours"
    SPACE = "space"


def today() -> date:
    return datetime.now(UTC).date()


def progress(m: SuccessMetricView) -> float | None:
    """Share of the way from the baseline (0 if none) to the target, 0 to 1."""
    if m.current is None:
        return None
    start = m.baseline or Decimal(0)
    if m.target == start:
        return 1.0 if m.current >= m.target else 0.0
    return float(min(max((m.current - start) / (m.target - start), Decimal(0)), Decimal(1)))


def health(m: SuccessMetricView, as_of: date) -> MetricHealth:
    """Met once the target is reached; missed after its due date; before that on track when
    progress keeps pace with the time gone since the metric was set."""
    done = progress(m)
    if m.retired_reason is not None:
        return MetricHealth.RETIRED
    if done is None:
        return MetricHealth.NO_DATA
    if m.current is not None and m.current >= m.target:
        return MetricHealth.MET
    if m.due_on is None:
        return MetricHealth.ON_TRACK
    if as_of > m.due_on:
        return MetricHealth.MISSED
    span = (m.due_on - m.defined_on).days
    elapsed = 1.0 if span <= 0 else min(max((as_of - m.defined_on).days / span, 0.0), 1.0)
    return MetricHealth.ON_TRACK if done >= elapsed else MetricHealth.BEHIND


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
        return cls(
            id=strawberry.ID(str(v.id)), name=v.name, measure=MetricMeasure(v.measure),
            target=v.target, unit=v.unit, baseline=v.baseline, due_on=v.due_on,
            program_kind=None if v.program_kind is None else ProgramKind(v.program_kind),
            question=v.question, retired_reason=v.retired_reason, current=v.current,
            values=[MetricValue(value=x.value, recorded_for=x.recorded_for, note=x.note)
                    for x in v.values],
            view=v,
        )  # fmt: skip

    @strawberry.field(description="From the baseline (0 if none) to the target: 0 to 1.")
    def progress(self) -> float | None:
        return progress(self.view)

    @strawberry.field(description="How the metric stands on `asOf` (default: today).")
    def health(self, as_of: date | None = None) -> MetricHealth:
        return health(self.view, as_of or today())


@strawberry.type
class PartnerRole:
    """What a partner does in the partnership and commits to."""

    organization_id: strawberry.ID
    role: str
    commitments: list[str]

    @classmethod
    def from_view(cls, v: PartnerRoleView) -> PartnerRole:
        return cls(
            organization_id=strawberry.ID(str(v.organisation_id)), role=v.role,
            commitments=v.commitments,
        )  # fmt: skip

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        found = await info.context.loaders.organisation.load(UUID(self.organization_id))
        return None if found is None else Organization.from_view(found)


@strawberry.type
class Liaison:
    """A partner organisation's contact for the partnership."""

    id: strawberry.ID
    organization_id: strawberry.ID
    name: str
    title: str
    email: str | None
    phone: str | None
    appointed_at: datetime
    stood_down_reason: str | None = strawberry.field(description="Null while still liaison.")

    @classmethod
    def from_view(cls, v: LiaisonView) -> Liaison:
        return cls(
            id=strawberry.ID(str(v.id)), organization_id=strawberry.ID(str(v.organisation_id)),
            name=v.name, title=v.title, email=v.email, phone=v.phone,
            appointed_at=v.appointed_at, stood_down_reason=v.stood_down_reason,
        )  # fmt: skip


@strawberry.type
class Contribution:
    """Funding, equipment, software, volunteer hours or space a partner gave."""

    id: strawberry.ID
    organization_id: strawberry.ID
    kind: ContributionKind
    description: str
    value: Decimal | None = strawberry.field(description="Money given, or estimated value.")
    currency: str | None
    hours: Decimal | None
    contributed_on: date

    @classmethod
    def from_view(cls, v: ContributionView) -> Contribution:
        return cls(
            id=strawberry.ID(str(v.id)), organization_id=strawberry.ID(str(v.organisation_id)),
            kind=ContributionKind(v.kind), description=v.description, value=v.value,
            currency=v.currency, hours=v.hours, contributed_on=v.contributed_on,
        )  # fmt: skip


@strawberry.type
class ContributionTotal:
    """What one partner gave in all, per currency (hours have no currency)."""

    organization_id: strawberry.ID
    currency: str | None
    value: Decimal
    hours: Decimal
    contributions: int

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        found = await info.context.loaders.organisation.load(UUID(self.organization_id))
        return None if found is None else Organization.from_view(found)


def totals(contributions: list[ContributionView]) -> list[ContributionTotal]:
    sums: dict[tuple[UUID, str | None], list[Any]] = {}
    for c in contributions:
        entry = sums.setdefault((c.organisation_id, c.currency), [Decimal(0), Decimal(0), 0])
        entry[0] += c.value or 0
        entry[1] += c.hours or 0
        entry[2] += 1
    return [
        ContributionTotal(
            organization_id=strawberry.ID(str(org)),
            currency=currency,
            value=value,
            hours=hours,
            contributions=n,
        )
        for (org, currency), (value, hours, n) in sorted(
            sums.items(), key=lambda kv: (str(kv[0][0]), kv[0][1] or "")
        )
    ]


@strawberry.type
class FollowUp:
    action: str
    owner: str
    due_on: date | None


@strawberry.type
class CheckIn:
    """A meeting of the partners: who came, what was said and decided, who follows up."""

    id: strawberry.ID
    held_on: date
    attendees: list[str]
    notes: str
    decisions: list[str]
    follow_ups: list[FollowUp]

    @classmethod
    def from_view(cls, v: CheckInView) -> CheckIn:
        return cls(
            id=strawberry.ID(str(v.id)), held_on=v.held_on, attendees=v.attendees,
            notes=v.notes, decisions=v.decisions,
            follow_ups=[FollowUp(action=f.action, owner=f.owner, due_on=f.due_on)
                        for f in v.follow_ups],
        )  # fmt: skip


@strawberry.type
class PartnershipTransition:
    """A step in a partnership's life."""

    change: str = strawberry.field(
        description="formed, activated, suspended, renewed or concluded."
    )
    status: PartnershipStatus = strawberry.field(description="The status it left.")
    reason: str
    term_starts_on: date | None
    term_ends_on: date | None
    at: datetime

    @classmethod
    def from_view(cls, v: PartnershipTransitionView) -> PartnershipTransition:
        return cls(
            change=v.change, status=PartnershipStatus(v.status), reason=v.reason,
            term_starts_on=v.term_starts_on, term_ends_on=v.term_ends_on, at=v.at,
        )  # fmt: skip


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


async def partnership_health(
    info: Info, partnership: Partnership, as_of: date
) -> PartnershipHealth:
    loaders = info.context.loaders
    pid = partnership.view.id
    state = await loaders.partnership_state.load(pid)
    views = [m for m in await loaders.metrics_of_partnership.load(pid) if m.retired_reason is None]
    check_ins = [c for c in await loaders.check_ins_of_partnership.load(pid) if c.held_on <= as_of]
    programs = await loaders.programs_of_partnership.load(pid)
    states = [health(m, as_of) for m in views]
    last = max((c.held_on for c in check_ins), default=None)
    return PartnershipHealth(
        as_of=as_of,
        status=None if state is None else PartnershipStatus(state.status),
        metrics=[SuccessMetric.from_view(m) for m in views],
        metrics_met=states.count(MetricHealth.MET),
        metrics_on_track=states.count(MetricHealth.ON_TRACK),
        metrics_behind=states.count(MetricHealth.BEHIND),
        metrics_missed=states.count(MetricHealth.MISSED),
        last_check_in_on=last,
        days_since_last_check_in=None if last is None else (as_of - last).days,
        contributions_by_partner=totals(
            [c for c in await loaders.contributions_of_partnership.load(pid)
             if c.contributed_on <= as_of]
        ),
        active_programs=[Program.from_view(p) for p in programs
                         if p.starts_on <= as_of <= p.ends_on],
    )  # fmt: skip


# Mutations ------------------------------------------------------------------------------


@strawberry.type
class PartnershipUpdated(Recorded):
    """The partnership changed; `id` is what the command created or touched (a metric, a
    liaison, a contribution, a check-in) or the partnership itself."""

    id: strawberry.ID
    partnership_id: strawberry.ID
    status: PartnershipStatus

    @strawberry.field(description="As the views show it once they include this write.")
    async def partnership(self, info: Info) -> Partnership | None:
        found = await viewed(
            info, self.position, info.context.loaders.partnership, self.partnership_id
        )
        return None if found is None else Partnership.from_view(found)


PartnershipPayload = Annotated[PartnershipUpdated | Failure, strawberry.union("PartnershipPayload")]


@strawberry.input
class ChangePartnershipStatusInput:
    """Which partnership, and why."""

    partnership_id: strawberry.ID
    reason: str = strawberry.field(description="1 to 2,000 characters.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RenewPartnershipInput:
    """The new term, and why."""

    partnership_id: strawberry.ID
    term_starts_on: date
    term_ends_on: date = strawberry.field(description="After `termStartsOn`.")
    reason: str
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


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


@strawberry.input
class AppointLiaisonInput:
    partnership_id: strawberry.ID
    organization_id: strawberry.ID
    name: str
    title: str = ""
    email: str | None = None
    phone: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class StandDownLiaisonInput:
    partnership_id: strawberry.ID
    liaison_id: strawberry.ID
    reason: str
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RecordContributionInput:
    """Funding needs `value` and `currency`; volunteer hours need `hours`; for the rest
    `value` and `currency` are an estimate."""

    partnership_id: strawberry.ID
    organization_id: strawberry.ID
    kind: ContributionKind
    description: str
    contributed_on: date
    value: Decimal | None = None
    currency: str | None = strawberry.field(default=None, description="ISO 4217, e.g. USD.")
    hours: Decimal | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class FollowUpInput:
    action: str
    owner: str
    due_on: date | None = None


@strawberry.input
class RecordCheckInInput:
    partnership_id: strawberry.ID
    held_on: date
    attendees: list[str]
    notes: str = ""
    decisions: list[str] = strawberry.field(default_factory=list)
    follow_ups: list[FollowUpInput] = strawberry.field(default_factory=list)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


async def _change(
    info: Info, handler: Handler[Any], command: type[Any], given: Any
) -> PartnershipUpdated | Failure:
    r = await run(info, handler, command, given)
    if not isinstance(r, CommandResult):
        return r
    return PartnershipUpdated(
        id=strawberry.ID(str(r.id)), partnership_id=given.partnership_id,
        status=PartnershipStatus(r.status), position=r.position,
    )  # fmt: skip


@strawberry.type
class PartnershipMutation:
    @strawberry.mutation(description="Start a proposed partnership, or resume a suspended one.")
    async def activate_partnership(
        self, info: Info, input: ChangePartnershipStatusInput
    ) -> PartnershipPayload:
        return await _change(info, ps.activate_partnership, ps.ActivatePartnership, input)

    @strawberry.mutation(description="Pause an active partnership; no new programs meanwhile.")
    async def suspend_partnership(
        self, info: Info, input: ChangePartnershipStatusInput
    ) -> PartnershipPayload:
        return await _change(info, ps.suspend_partnership, ps.SuspendPartnership, input)

    @strawberry.mutation(description="End a partnership for good.")
    async def conclude_partnership(
        self, info: Info, input: ChangePartnershipStatusInput
    ) -> PartnershipPayload:
        return await _change(info, ps.conclude_partnership, ps.ConcludePartnership, input)

    @strawberry.mutation(description="Renew an active partnership for a new term.")
    async def renew_partnership(
        self, info: Info, input: RenewPartnershipInput
    ) -> PartnershipPayload:
        return await _change(info, ps.renew_partnership, ps.RenewPartnership, input)

    @strawberry.mutation(description="Say what a partner does and commits to.")
    async def set_partner_role(self, info: Info, input: SetPartnerRoleInput) -> PartnershipPayload:
        return await _change(info, ps.set_partner_role, ps.SetPartnerRole, input)

    @strawberry.mutation(description="Add a success metric with its target to the charter.")
    async def define_success_metric(
        self, info: Info, input: DefineSuccessMetricInput
    ) -> PartnershipPayload:
        return await _change(info, ps.define_success_metric, ps.DefineSuccessMetric, input)

    @strawberry.mutation(description="Take a metric out of the charter; its history stays.")
    async def retire_success_metric(
        self, info: Info, input: RetireSuccessMetricInput
    ) -> PartnershipPayload:
        return await _change(info, ps.retire_success_metric, ps.RetireSuccessMetric, input)

    @strawberry.mutation(description="Record a value of a manual metric.")
    async def record_metric_value(
        self, info: Info, input: RecordMetricValueInput
    ) -> PartnershipPayload:
        return await _change(info, ps.record_metric_value, ps.RecordMetricValue, input)

    @strawberry.mutation(description="Name a partner organisation's liaison.")
    async def appoint_liaison(self, info: Info, input: AppointLiaisonInput) -> PartnershipPayload:
        return await _change(info, ps.appoint_liaison, ps.AppointLiaison, input)

    @strawberry.mutation(description="A liaison no longer represents their organisation.")
    async def stand_down_liaison(
        self, info: Info, input: StandDownLiaisonInput
    ) -> PartnershipPayload:
        return await _change(info, ps.stand_down_liaison, ps.StandDownLiaison, input)

    @strawberry.mutation(description="Record what a partner gave.")
    async def record_contribution(
        self, info: Info, input: RecordContributionInput
    ) -> PartnershipPayload:
        return await _change(info, ps.record_contribution, ps.RecordContribution, input)

    @strawberry.mutation(description="Record a check-in of the partners.")
    async def record_check_in(self, info: Info, input: RecordCheckInInput) -> PartnershipPayload:
        return await _change(info, ps.record_check_in, ps.RecordCheckIn, input)
