"""Working together: partners' liaisons, what partners contribute, and check-ins with
their decisions and follow-ups."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from bridgework.domain.collaboration import ContributionKind, FollowUp
from bridgework.services.bus import Handlers
from bridgework.services.command import Currency, Email, Line, Lines, Name, Phone, Reason, Text
from bridgework.services.errors import InvalidInput
from bridgework.services.partnerships.charter import Amount, check_amount
from bridgework.services.partnerships.lifecycle import PartnershipCommand, change

if TYPE_CHECKING:
    from bridgework.domain.partnership import Partnership
    from bridgework.services.context import CommandContext
    from bridgework.services.unit_of_work import CommandResult, Deps, Session

HANDLERS = Handlers()


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
        check_amount("value", self.value)
        check_amount("hours", self.hours)
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


@HANDLERS.of(AppointLiaison)
async def appoint_liaison(deps: Deps, ctx: CommandContext, cmd: AppointLiaison) -> CommandResult:
    """Name a partner organisation's liaison to the partnership."""

    def appoint(p: Partnership, s: Session) -> UUID:
        liaison_id = deps.new_id()
        p.appoint_liaison(
            liaison_id=liaison_id,
            organisation_id=cmd.organization_id,
            name=cmd.name,
            title=cmd.title,
            email=cmd.email,
            phone=cmd.phone,
            at=s.now,
        )
        return liaison_id

    return await change(deps, ctx, cmd, appoint)


@HANDLERS.of(StandDownLiaison)
async def stand_down_liaison(
    deps: Deps, ctx: CommandContext, cmd: StandDownLiaison
) -> CommandResult:
    """A liaison no longer represents their organisation."""

    def stand_down(p: Partnership, s: Session) -> UUID:
        p.stand_down_liaison(liaison_id=cmd.liaison_id, reason=cmd.reason, at=s.now)
        return cmd.liaison_id

    return await change(deps, ctx, cmd, stand_down)


@HANDLERS.of(RecordContribution)
async def record_contribution(
    deps: Deps, ctx: CommandContext, cmd: RecordContribution
) -> CommandResult:
    """Record what a partner gave: funding, equipment, software, volunteer hours, space."""

    def contribute(p: Partnership, s: Session) -> UUID:
        contribution_id = deps.new_id()
        p.record_contribution(
            contribution_id=contribution_id,
            organisation_id=cmd.organization_id,
            kind=cmd.kind,
            description=cmd.description,
            value=cmd.value,
            currency=cmd.currency,
            hours=cmd.hours,
            contributed_on=cmd.contributed_on,
            at=s.now,
        )
        return contribution_id

    return await change(deps, ctx, cmd, contribute)


@HANDLERS.of(RecordCheckIn)
async def record_check_in(deps: Deps, ctx: CommandContext, cmd: RecordCheckIn) -> CommandResult:
    """Record a check-in: who came, what was said and decided, and who follows up."""

    def check_in(p: Partnership, s: Session) -> UUID:
        check_in_id = deps.new_id()
        p.hold_check_in(
            check_in_id=check_in_id,
            held_on=cmd.held_on,
            attendees=tuple(cmd.attendees),
            notes=cmd.notes,
            decisions=tuple(cmd.decisions),
            follow_ups=tuple(FollowUp(f.action, f.owner, f.due_on) for f in cmd.follow_ups),
            at=s.now,
        )
        return check_in_id

    return await change(deps, ctx, cmd, check_in)
