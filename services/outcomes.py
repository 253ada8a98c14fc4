"""Outcomes: showcases, where a program's students present their projects to partners."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from bridgework.domain.partnership import Partnership
from bridgework.domain.program import Program
from bridgework.services.bus import Handlers
from bridgework.services.command import Command, Name
from bridgework.services.errors import InvalidInput
from bridgework.services.unit_of_work import CommandResult, Deps, Session, execute

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext

HANDLERS = Handlers()

Presenters = Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=1000)]
Guests = Annotated[list[UUID], msgspec.Meta(max_length=50)]


class RecordShowcase(Command):
    program_id: UUID
    title: Name
    held_on: date
    presenter_ids: Presenters
    attending_organization_ids: Guests = msgspec.field(default_factory=list)

    def check(self) -> None:
        if len(set(self.presenter_ids)) != len(self.presenter_ids):
            raise InvalidInput("presenterIds", "presenterIds lists a student twice")


@HANDLERS.of(RecordShowcase)
async def record_showcase(deps: Deps, ctx: CommandContext, cmd: RecordShowcase) -> CommandResult:
    """Record a showcase where a program's students presented their projects to partners."""

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        partnership = await s.get(Partnership, program.partnership_id, "programId")
        # Presenters must be the program's students and guests its partners, which the
        # program checks; that also proves they exist without loading each one.
        showcase_id = deps.new_id()
        program.record_showcase(
            showcase_id=showcase_id,
            title=cmd.title,
            held_on=cmd.held_on,
            presenter_ids=tuple(cmd.presenter_ids),
            attending_organisation_ids=tuple(cmd.attending_organization_ids),
            partner_ids=frozenset(partnership.organisation_ids),
            at=s.now,
        )
        return CommandResult(id=showcase_id)

    return await execute(deps, ctx, cmd, decide)
