"""A partnership's life: formed (active, or proposed), activated, suspended, renewed,
concluded; and the base every partnership command builds on."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from bridgework.domain.organisation import Organisation
from bridgework.domain.partnership import Partnership
from bridgework.services.bus import Handlers
from bridgework.services.command import Command, Name, Reason
from bridgework.services.errors import InvalidInput
from bridgework.services.unit_of_work import CommandResult, Deps, Session, execute

if TYPE_CHECKING:
    from collections.abc import Callable

    from bridgework.services.context import CommandContext

HANDLERS = Handlers()

Goals = Annotated[list[Annotated[str, msgspec.Meta(max_length=500)]], msgspec.Meta(max_length=20)]


class FormPartnership(Command):
    name: Name
    organization_ids: Annotated[list[UUID], msgspec.Meta(min_length=2, max_length=50)]
    goals: Goals = msgspec.field(default_factory=list)
    proposed: bool = False

    def check(self) -> None:
        if len(set(self.organization_ids)) != len(self.organization_ids):
            raise InvalidInput("organizationIds", "organizationIds lists an organisation twice")


class PartnershipCommand(Command):
    """A command to one partnership: the partnership's handlers load it through `change`."""

    abstract = True

    partnership_id: UUID


class ChangeStatus(PartnershipCommand):
    """Activate, suspend or conclude: all need only a reason."""

    abstract = True

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


async def change(
    deps: Deps,
    ctx: CommandContext,
    cmd: PartnershipCommand,
    apply: Callable[[Partnership, Session], UUID | None],
) -> CommandResult:
    """Load the partnership (naming `partnershipId` when it does not exist), `apply` the
    command to it, and leave the rules to it; report the id `apply` returns (a new metric,
    liaison, …) or the partnership's, and the partnership's status."""

    async def decide(s: Session) -> CommandResult:
        partnership = await s.get(Partnership, cmd.partnership_id, "partnershipId")
        new_id = apply(partnership, s)
        return CommandResult(id=new_id or partnership.id, status=str(partnership.status))

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(FormPartnership)
async def form_partnership(deps: Deps, ctx: CommandContext, cmd: FormPartnership) -> CommandResult:
    """Form a partnership between two or more registered organisations (active, or proposed)."""

    async def decide(s: Session) -> CommandResult:
        for i, org_id in enumerate(cmd.organization_ids):
            await s.get(Organisation, org_id, f"organizationIds[{i}]")
        partnership = Partnership.form(
            id=deps.new_id(),
            name=cmd.name,
            organisation_ids=tuple(cmd.organization_ids),
            goals=tuple(cmd.goals),
            at=s.now,
            proposed=cmd.proposed,
        )
        s.add(partnership)
        return CommandResult(id=partnership.id)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(ActivatePartnership)
async def activate_partnership(
    deps: Deps, ctx: CommandContext, cmd: ActivatePartnership
) -> CommandResult:
    """Start a proposed partnership, or resume a suspended one."""
    return await change(deps, ctx, cmd, lambda p, s: p.activate(reason=cmd.reason, at=s.now))


@HANDLERS.of(SuspendPartnership)
async def suspend_partnership(
    deps: Deps, ctx: CommandContext, cmd: SuspendPartnership
) -> CommandResult:
    """Pause an active partnership; no program can be launched under it until it resumes."""
    return await change(deps, ctx, cmd, lambda p, s: p.suspend(reason=cmd.reason, at=s.now))


@HANDLERS.of(ConcludePartnership)
async def conclude_partnership(
    deps: Deps, ctx: CommandContext, cmd: ConcludePartnership
) -> CommandResult:
    """End a partnership for good."""
    return await change(deps, ctx, cmd, lambda p, s: p.conclude(reason=cmd.reason, at=s.now))


@HANDLERS.of(RenewPartnership)
async def renew_partnership(
    deps: Deps, ctx: CommandContext, cmd: RenewPartnership
) -> CommandResult:
    """Renew an active partnership for a new term."""

    def renew(p: Partnership, s: Session) -> None:
        p.renew(
            term_starts_on=cmd.term_starts_on,
            term_ends_on=cmd.term_ends_on,
            reason=cmd.reason,
            at=s.now,
        )

    return await change(deps, ctx, cmd, renew)
