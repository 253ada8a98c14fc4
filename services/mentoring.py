"""Mentor safeguarding: background checks (clearances) for mentors and internship hosts."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from bridgework.domain.mentor import ClearanceResult, Mentor
from bridgework.services.commands import Command
from bridgework.services.errors import InvalidInput
from bridgework.services.unit_of_work import CommandResult, Deps, Session, execute

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext

Label = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]


class RecordClearance(Command):
    mentor_id: UUID
    check_type: Label
    """E.g. 'DBS enhanced', 'state fingerprint check', 'child abuse registry'."""
    provider: Label
    result: ClearanceResult
    completed_on: date | None = None
    expires_on: date | None = None

    def check(self) -> None:
        if self.result is not ClearanceResult.PENDING and self.completed_on is None:
            raise InvalidInput("completedOn", f"completedOn is needed for a {self.result} result")
        if self.expires_on and self.completed_on and self.expires_on <= self.completed_on:
            raise InvalidInput("expiresOn", "expiresOn must be after completedOn")


async def record_clearance(deps: Deps, ctx: CommandContext, cmd: RecordClearance) -> CommandResult:
    """Record a background check's outcome for a mentor or internship host."""

    async def decide(s: Session) -> CommandResult:
        mentor = await s.get(Mentor, cmd.mentor_id, "mentorId")
        clearance_id = deps.new_id()
        mentor.record_clearance(
            clearance_id=clearance_id, check_type=cmd.check_type, provider=cmd.provider,
            result=cmd.result, completed_on=cmd.completed_on, expires_on=cmd.expires_on,
            at=s.now,
        )  # fmt: skip
        return CommandResult(id=clearance_id, status=str(cmd.result))

    return await execute(deps, ctx, cmd, decide)
