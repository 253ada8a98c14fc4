"""Achievements: the skills and credentials students earn, and where they go next."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from bridgework.domain.achievements import Pathway
from bridgework.domain.student import Student
from bridgework.services.bus import Handlers
from bridgework.services.command import Command, Name
from bridgework.services.enrolment import participant
from bridgework.services.unit_of_work import CommandResult, Deps, Session, execute

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext

HANDLERS = Handlers()


class RecordCredential(Command):
    student_id: UUID
    name: Name
    """E.g. 'OSHA 10 safety certificate', 'AWS Cloud Practitioner'."""
    issuer: Name
    earned_on: date
    program_id: UUID | None = None


class RecordPathway(Command):
    student_id: UUID
    pathway: Pathway
    on: date
    organisation: Annotated[str, msgspec.Meta(max_length=200)] = ""
    """The college, employer or apprenticeship provider."""
    program_id: UUID | None = None


async def _credited(s: Session, student_id: UUID, program_id: UUID | None) -> Student:
    """The student; the program an outcome credits must be one they held a seat in."""
    student = await s.get(Student, student_id, "studentId")
    if program_id is not None:
        await participant(s, program_id, student)
    return student


@HANDLERS.of(RecordCredential)
async def record_credential(
    deps: Deps, ctx: CommandContext, cmd: RecordCredential
) -> CommandResult:
    """Record a skill or credential a student earned, optionally through a program."""

    async def decide(s: Session) -> CommandResult:
        student = await _credited(s, cmd.student_id, cmd.program_id)
        credential_id = deps.new_id()
        student.earn_credential(
            credential_id=credential_id,
            program_id=cmd.program_id,
            name=cmd.name,
            issuer=cmd.issuer,
            earned_on=cmd.earned_on,
            at=s.now,
        )
        return CommandResult(id=credential_id)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(RecordPathway)
async def record_pathway(deps: Deps, ctx: CommandContext, cmd: RecordPathway) -> CommandResult:
    """Record where a student went next: college STEM, an internship or job offer, an
    apprenticeship."""

    async def decide(s: Session) -> CommandResult:
        student = await _credited(s, cmd.student_id, cmd.program_id)
        pathway_id = deps.new_id()
        student.record_pathway(
            pathway_id=pathway_id,
            program_id=cmd.program_id,
            pathway=cmd.pathway,
            organisation=cmd.organisation,
            on=cmd.on,
            at=s.now,
        )
        return CommandResult(id=pathway_id)

    return await execute(deps, ctx, cmd, decide)
