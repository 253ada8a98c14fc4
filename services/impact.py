"""Impact: what students choose to report about themselves, for the suppressed aggregates
partners see."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar
from uuid import UUID

import msgspec
from bridgework.domain.student import Demographic, Student
from bridgework.services.authority import authorise_self
from bridgework.services.bus import Handlers
from bridgework.services.command import Command, ShortText
from bridgework.services.context import Role
from bridgework.services.errors import InvalidInput
from bridgework.services.unit_of_work import (
    CommandResult,
    Deps,
    Session,
    execute,
)

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext

HANDLERS = Handlers()


class DemographicAnswer(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    field: Demographic
    value: ShortText
    """The student's own words or a choice from the school's form, e.g. 'female', 'yes'."""


class ReportDemographics(Command):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COORDINATOR, Role.STUDENT})

    student_id: UUID
    answers: Annotated[list[DemographicAnswer], msgspec.Meta(max_length=len(Demographic))]
    """Every field is optional; an empty list withdraws an earlier report."""

    def check(self) -> None:
        fields = [a.field for a in self.answers]
        if len(set(fields)) != len(fields):
            raise InvalidInput("answers", "answers gives a field twice")


@HANDLERS.of(ReportDemographics)
async def report_demographics(
    deps: Deps, ctx: CommandContext, cmd: ReportDemographics
) -> CommandResult:
    """Record what a student chose to report about themselves (students report their own)."""
    authorise_self(ctx, Role.STUDENT, cmd.student_id, "report only their own demographics")

    async def decide(s: Session) -> CommandResult:
        student = await s.get(Student, cmd.student_id, "studentId")
        student.report_demographics(
            answers=tuple((a.field, a.value.strip()) for a in cmd.answers), at=s.now
        )
        return CommandResult(id=student.id)

    return await execute(deps, ctx, cmd, decide)
