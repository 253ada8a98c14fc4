"""Partnership commands and their handlers: lifecycle, charter, liaisons, contributions,
check-ins. Each loads the partnership (naming `partnershipId` when it does not exist) and
leaves the rules to it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from bridgework.domain.partnership import (
    ContributionKind,
    FollowUp,
    MetricMeasure,
    Partnership,
)
from bridgework.domain.program import ProgramKind
from bridgework.services.commands import Command, Currency, Email, Key, Name, Phone, Reason, Text
from bridgework.services.errors import InvalidInput
from bridgework.services.unit_of_work import CommandResult, Deps, Session, execute

if TYPE_CHECKING:
    from collections.abc import Callable

    from bridgework.services.context import CommandContext

Line = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"\S")]
Lines = Annotated[list[Line], msgspec.Meta(max_length=50)]
Amount = Decimal
"""Checked by `_amount` (msgspec puts no bounds on decimals): 0 to 10¹², finite."""
MOST = Decimal("1e12")


def _amount(field: str, value: Decimal | None) -> None:
    if value is not None and not (value.is_finite() and 0 <= value <= MOST):
        raise InvalidInput(field, f"{field} must be a number from 0 to 1,000,000,000,000")


class PartnershipCommand(Command):
    partnership_id: UUID


class ChangeStatus(PartnershipCommand):
    """Activate, suspend or conclude: all need only a reason."""

    reason: Reason


class ActivatePartnership(ChangeStatus):
    pass


class SuspendPartnership(ChangeStatus):
    pass


class ConcludePartnership(ChangeStatus):
    pass


class RenewPartnership(ChangeStatus):
    term_starts_on: date
    term_ends_on: date

    def check(self) -> None:
        if self.term_ends_on <= self.term_starts_on:
            raise InvalidInput("termEndsOn", "termEndsOn must be after termStartsOn")


class SetPartnerRole(PartnershipCommand):
    organization_id: UUID
    role: Name
    commitments: Lines = msgspec.field(default_factory=list)


class DefineSuccessMetric(PartnershipCommand):
    name: Name
    measure: MetricMeasure
    target: Amount
    unit: Annotated[str, msgspec.Meta(max_length=50)] = ""
    baseline: Amount | None = None
    due_on: date | None = None
    program_kind: ProgramKind | None = None
    question: Key | None = None
    """SURVEY_IMPROVED only: the survey question it follows (any question when omitted)."""

    def check(self) -> None:
        _amount("target", self.target)
        _amount("baseline", self.baseline)
        if self.measure is MetricMeasure.MANUAL and self.program_kind is not None:
            raise InvalidInput("programKind", "programKind applies to measured metrics only")
        if self.question is not None and self.measure is not MetricMeasure.SURVEY_IMPROVED:
            raise InvalidInput("question", "question applies to SURVEY_IMPROVED metrics only")


class RetireSuccessMetric(PartnershipCommand):
    metric_id: UUID
    reason: Reason


class RecordMetricValue(PartnershipCommand):
    metric_id: UUID
    value: Amount
    recorded_for: date
    note: Text = ""

    def check(self) -> None:
        _amount("value", self.value)


class AppointLiaison(PartnershipCommand):
    organization_id: UUID
    name: Name
    title: Annotated[str, msgspec.Meta(max_length=200)] = ""
    email: Email | None = None
    phone: Phone | None = None


class StandDownLiaison(PartnershipCommand):
    liaison_id: UUID
    reason: Reason


class RecordContribution(PartnershipCommand):
    organization_id: UUID
    kind: ContributionKind
    description: Name
    contributed_on: date
    value: Amount | None = None
    currency: Currency | None = None
    hours: Amount | None = None

    def check(self) -> None:
        _amount("value", self.value)
        _amount("hours", self.hours)
        if self.value is not None and self.currency is None:
            raise InvalidInput("currency", "currency is needed with a value (e.g. USD)")
        if self.currency is not None and self.value is None:
            raise InvalidInput("value", "value is needed with a currency")
        if self.kind is ContributionKind.FUNDING and self.value is None:
            raise InvalidInput("value", "funding needs its amount in value")
        if self.kind is ContributionKind.VOLUNTEER_HOURS and self.hours is None:
            raise InvalidInput("hours", "volunteer hours need hours")


class FollowUpInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    action: Line
    owner: Name
    due_on: date | None = None


class RecordCheckIn(PartnershipCommand):
    held_on: date
    attendees: Annotated[list[Name], msgspec.Meta(min_length=1, max_length=50)]
    notes: Text = ""
    decisions: Lines = msgspec.field(default_factory=list)
    follow_ups: Annotated[list[FollowUpInput], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )


# Handlers -------------------------------------------------------------------------------


async def _change(
    deps: Deps,
    ctx: CommandContext,
    cmd: PartnershipCommand,
    apply: Callable[[Partnership, Session], UUID | None],
) -> CommandResult:
    """Load the partnership, `apply` the command to it; report the id `apply` returns (a new
    metric, liaison, …) or the partnership's, and the partnership's status."""

    async def decide(s: Session) -> CommandResult:
        partnership = await s.get(Partnership, cmd.partnership_id, "partnershipId")
        new_id = apply(partnership, s)
        return CommandResult(id=new_id or partnership.id, status=str(partnership.status))

    return await execute(deps, ctx, cmd, decide)


async def activate_partnership(
    deps: Deps, ctx: CommandContext, cmd: ActivatePartnership
) -> CommandResult:
    """Start a proposed partnership, or resume a suspended one."""
    return await _change(deps, ctx, cmd, lambda p, s: p.activate(reason=cmd.reason, at=s.now))


async def suspend_partnership(
    deps: Deps, ctx: CommandContext, cmd: SuspendPartnership
) -> CommandResult:
    """Pause an active partnership; no program can be launched under it until it resumes."""
    return await _change(deps, ctx, cmd, lambda p, s: p.suspend(reason=cmd.reason, at=s.now))


async def conclude_partnership(
    deps: Deps, ctx: CommandContext, cmd: ConcludePartnership
) -> CommandResult:
    """End a partnership for good."""
    return await _change(deps, ctx, cmd, lambda p, s: p.conclude(reason=cmd.reason, at=s.now))


async def renew_partnership(
    deps: Deps, ctx: CommandContext, cmd: RenewPartnership
) -> CommandResult:
    """Renew an active partnership for a new term."""

    def renew(p: Partnership, s: Session) -> None:
        p.renew(
            term_starts_on=cmd.term_starts_on, term_ends_on=cmd.term_ends_on,
            reason=cmd.reason, at=s.now,
        )  # fmt: skip

    return await _change(deps, ctx, cmd, renew)


async def set_partner_role(deps: Deps, ctx: CommandContext, cmd: SetPartnerRole) -> CommandResult:
    """Say what a partner does in the partnership and what it commits to."""

    def set_role(p: Partnership, s: Session) -> None:
        p.set_partner_role(
            organisation_id=cmd.organization_id, role=cmd.role,
            commitments=tuple(cmd.commitments), at=s.now,
        )  # fmt: skip

    return await _change(deps, ctx, cmd, set_role)


async def define_success_metric(
    deps: Deps, ctx: CommandContext, cmd: DefineSuccessMetric
) -> CommandResult:
    """Add a success metric with its target to the charter."""

    def define(p: Partnership, s: Session) -> UUID:
        metric_id = deps.new_id()
        p.define_metric(
            metric_id=metric_id, name=cmd.name, measure=cmd.measure, target=cmd.target,
            unit=cmd.unit, baseline=cmd.baseline, due_on=cmd.due_on,
            program_kind=None if cmd.program_kind is None else str(cmd.program_kind),
            question=cmd.question, at=s.now,
        )  # fmt: skip
        return metric_id

    return await _change(deps, ctx, cmd, define)


async def retire_success_metric(
    deps: Deps, ctx: CommandContext, cmd: RetireSuccessMetric
) -> CommandResult:
    """Take a metric out of the charter (its history stays)."""

    def retire(p: Partnership, s: Session) -> UUID:
        p.retire_metric(metric_id=cmd.metric_id, reason=cmd.reason, at=s.now)
        return cmd.metric_id

    return await _change(deps, ctx, cmd, retire)


async def record_metric_value(
    deps: Deps, ctx: CommandContext, cmd: RecordMetricValue
) -> CommandResult:
    """Record a value of a manual metric, as of a date."""

    def record(p: Partnership, s: Session) -> UUID:
        p.record_metric_value(
            metric_id=cmd.metric_id, value=cmd.value, recorded_for=cmd.recorded_for,
            note=cmd.note, at=s.now,
        )  # fmt: skip
        return cmd.metric_id

    return await _change(deps, ctx, cmd, record)


async def appoint_liaison(deps: Deps, ctx: CommandContext, cmd: AppointLiaison) -> CommandResult:
    """Name a partner organisation's liaison to the partnership."""

    def appoint(p: Partnership, s: Session) -> UUID:
        liaison_id = deps.new_id()
        p.appoint_liaison(
            liaison_id=liaison_id, organisation_id=cmd.organization_id, name=cmd.name,
            title=cmd.title, email=cmd.email, phone=cmd.phone, at=s.now,
        )  # fmt: skip
        return liaison_id

    return await _change(deps, ctx, cmd, appoint)


async def stand_down_liaison(
    deps: Deps, ctx: CommandContext, cmd: StandDownLiaison
) -> CommandResult:
    """A liaison no longer represents their organisation."""

    def stand_down(p: Partnership, s: Session) -> UUID:
        p.stand_down_liaison(liaison_id=cmd.liaison_id, reason=cmd.reason, at=s.now)
        return cmd.liaison_id

    return await _change(deps, ctx, cmd, stand_down)


async def record_contribution(
    deps: Deps, ctx: CommandContext, cmd: RecordContribution
) -> CommandResult:
    """Record what a partner gave: funding, equipment, software, volunteer hours, space."""

    def contribute(p: Partnership, s: Session) -> UUID:
        contribution_id = deps.new_id()
        p.record_contribution(
            contribution_id=contribution_id, organisation_id=cmd.organization_id,
            kind=cmd.kind, description=cmd.description, value=cmd.value,
            currency=cmd.currency, hours=cmd.hours, contributed_on=cmd.contributed_on, at=s.now,
        )  # fmt: skip
        return contribution_id

    return await _change(deps, ctx, cmd, contribute)


async def record_check_in(deps: Deps, ctx: CommandContext, cmd: RecordCheckIn) -> CommandResult:
    """Record a check-in: who came, what was said and decided, and who follows up."""

    def check_in(p: Partnership, s: Session) -> UUID:
        check_in_id = deps.new_id()
        p.hold_check_in(
            check_in_id=check_in_id, held_on=cmd.held_on, attendees=tuple(cmd.attendees),
            notes=cmd.notes, decisions=tuple(cmd.decisions),
            follow_ups=tuple(FollowUp(f.action, f.owner, f.due_on) for f in cmd.follow_ups),
            at=s.now,
        )  # fmt: skip
        return check_in_id

    return await _change(deps, ctx, cmd, check_in)
