"""A partnership's charter: each partner's role and commitments, and the success metrics it
holds itself to (measured from the views, or recorded by hand)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from bridgework.domain.charter import MetricMeasure
from bridgework.domain.program import ProgramKind
from bridgework.services.bus import Handlers
from bridgework.services.command import Key, Lines, Name, Reason, Text
from bridgework.services.errors import InvalidInput
from bridgework.services.partnerships.lifecycle import PartnershipCommand, change

if TYPE_CHECKING:
    from bridgework.domain.partnership import Partnership
    from bridgework.services.context import CommandContext
    from bridgework.services.unit_of_work import CommandResult, Deps, Session

HANDLERS = Handlers()

Amount = Decimal
"""Checked by `check_amount` (msgspec puts no bounds on decimals): 0 to 10¹², finite."""
MOST = Decimal("1e12")


def check_amount(field: str, value: Decimal | None) -> None:
    """Refuse an amount that is not a finite number from 0 to `MOST`, naming its field."""
    if value is not None and not (value.is_finite() and 0 <= value <= MOST):
        raise InvalidInput(field, f"{field} must be a number from 0 to 1,000,000,000,000")


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
        check_amount("target", self.target)
        check_amount("baseline", self.baseline)
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
        check_amount("value", self.value)


@HANDLERS.of(SetPartnerRole)
async def set_partner_role(deps: Deps, ctx: CommandContext, cmd: SetPartnerRole) -> CommandResult:
    """Say what a partner does in the partnership and what it commits to."""

    def set_role(p: Partnership, s: Session) -> None:
        p.set_partner_role(
            organisation_id=cmd.organization_id,
            role=cmd.role,
            commitments=tuple(cmd.commitments),
            at=s.now,
        )

    return await change(deps, ctx, cmd, set_role)


@HANDLERS.of(DefineSuccessMetric)
async def define_success_metric(
    deps: Deps, ctx: CommandContext, cmd: DefineSuccessMetric
) -> CommandResult:
    """Add a success metric with its target to the charter."""

    def define(p: Partnership, s: Session) -> UUID:
        metric_id = deps.new_id()
        p.define_metric(
            metric_id=metric_id,
            name=cmd.name,
            measure=cmd.measure,
            target=cmd.target,
            unit=cmd.unit,
            baseline=cmd.baseline,
            due_on=cmd.due_on,
            program_kind=None if cmd.program_kind is None else str(cmd.program_kind),
            question=cmd.question,
            at=s.now,
        )
        return metric_id

    return await change(deps, ctx, cmd, define)


@HANDLERS.of(RetireSuccessMetric)
async def retire_success_metric(
    deps: Deps, ctx: CommandContext, cmd: RetireSuccessMetric
) -> CommandResult:
    """Take a metric out of the charter (its history stays)."""

    def retire(p: Partnership, s: Session) -> UUID:
        p.retire_metric(metric_id=cmd.metric_id, reason=cmd.reason, at=s.now)
        return cmd.metric_id

    return await change(deps, ctx, cmd, retire)


@HANDLERS.of(RecordMetricValue)
async def record_metric_value(
    deps: Deps, ctx: CommandContext, cmd: RecordMetricValue
) -> CommandResult:
    """Record a value of a manual metric, as of a date."""

    def record(p: Partnership, s: Session) -> UUID:
        p.record_metric_value(
            metric_id=cmd.metric_id,
            value=cmd.value,
            recorded_for=cmd.recorded_for,
            note=cmd.note,
            at=s.now,
        )
        return cmd.metric_id

    return await change(deps, ctx, cmd, record)
