"""The demo's script: the story's cast (`World`) and the steps every chapter uses (`Script`).

Every command carries an idempotency key derived from its place in the script, so running
the demo twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from bridgework.domain.organisation import OrganisationKind
from bridgework.domain.program import ProgramKind
from bridgework.domain.safeguarding import ClearanceResult
from bridgework.services.areas import dispatch
from bridgework.services.context import Actor, CommandContext, Role
from bridgework.services.directory import (
    LaunchProgram,
    RegisterMentor,
    RegisterOrganization,
    RegisterStudent,
)
from bridgework.services.enrolment import CompleteEnrollment, EnrollStudent
from bridgework.services.mentoring import AssignMentor
from bridgework.services.outcomes import RecordShowcase
from bridgework.services.partnerships.lifecycle import FormPartnership
from bridgework.services.safeguarding import RecordClearance, RecordGuardianConsent

if TYPE_CHECKING:
    from bridgework.services.command import Command
    from bridgework.services.unit_of_work import CommandResult, Deps


@dataclass(frozen=True)
class World:
    """What the opening story made, by name, for the chapters that build on it."""

    orgs: dict[str, UUID]
    partnerships: dict[str, UUID]
    programs: dict[str, UUID]
    students: dict[str, list[UUID]]
    """By school: lincoln, ridgeview, eastside, st_brigid, state_u."""
    mentors: dict[str, list[UUID]]
    """By organisation: ardent, helix, shieldnet."""


Chapter = Callable[["Script", World], Awaitable[None]]
"""A later part of the story (an area of the product), run after the opening."""


@dataclass
class Script:
    deps: Deps
    today: date
    actor: Actor = field(default_factory=lambda: Actor(id="demo", role=Role.ADMINISTRATOR))
    step: int = 0
    positions: list[int] = field(default_factory=list)
    consents: dict[UUID, UUID] = field(default_factory=dict)
    """Student → their parent's standing consent."""
    on_step: Callable[[int], None] = lambda _: None
    """Told after each command (the CLI shows progress)."""

    async def run(self, cmd: Command, actor: Actor | None = None) -> CommandResult:
        """Run one command as the API would, under a key from its place in the story."""
        self.step += 1
        ctx = CommandContext(
            actor=actor or self.actor,
            correlation_id=uuid4(),
            command_uuid=uuid4(),
            idempotency_key=f"demo:{self.step}",
        )
        result = await dispatch(self.deps, ctx, cmd)
        self.positions.append(result.position)
        self.on_step(1)
        return result

    async def org(self, name: str, kind: str) -> UUID:
        cmd = RegisterOrganization(name=name, kind=OrganisationKind(kind))
        return (await self.run(cmd)).id

    async def students(self, names: tuple[str, ...], school: UUID, grade: int | None) -> list[UUID]:
        """Students of an age to match their grade; a parent's standing consent for minors."""
        ids = []
        for i, name in enumerate(names):
            years = 20 if grade is None else grade + 6
            born = self.today - timedelta(days=365 * years - 17 * i)
            cmd = RegisterStudent(name=name, grade=grade, school_id=school, date_of_birth=born)
            student = (await self.run(cmd)).id
            if grade is not None:
                consent = RecordGuardianConsent(
                    student_id=student,
                    guardian_name=f"Parent of {name}",
                    relationship="parent",
                    given_on=self.today - timedelta(days=90),
                )
                self.consents[student] = (await self.run(consent)).id
            ids.append(student)
        return ids

    async def partnership(self, name: str, orgs: list[UUID], goals: list[str]) -> UUID:
        cmd = FormPartnership(name=name, organization_ids=orgs, goals=goals)
        return (await self.run(cmd)).id

    async def program(self, partnership_id: UUID, name: str, kind: str, capacity: int) -> UUID:
        cmd = LaunchProgram(
            partnership_id=partnership_id,
            name=name,
            kind=ProgramKind(kind),
            capacity=capacity,
            starts_on=self.today - timedelta(days=75),
            ends_on=self.today + timedelta(days=60),
        )
        return (await self.run(cmd)).id

    async def enrol(self, program_id: UUID, students: list[UUID]) -> None:
        for student in students:
            await self.run(EnrollStudent(program_id=program_id, student_id=student))

    async def mentor(self, name: str, org: UUID, capacity: int = 3) -> UUID:
        """A mentor with a clear background check (no one is matched without one)."""
        cmd = RegisterMentor(name=name, organization_id=org, capacity=capacity)
        mentor = (await self.run(cmd)).id
        await self.clearance(mentor, "clear", completed_days_ago=120, expires_in_days=975)
        return mentor

    async def clearance(
        self,
        mentor: UUID,
        result: str,
        completed_days_ago: int | None = None,
        expires_in_days: int | None = None,
        check_type: str = "Enhanced background check",
    ) -> None:
        cmd = RecordClearance(
            mentor_id=mentor,
            check_type=check_type,
            provider="Valley Screening Services",
            result=ClearanceResult(result),
            completed_on=None
            if completed_days_ago is None
            else self.today - timedelta(days=completed_days_ago),
            expires_on=None
            if expires_in_days is None
            else self.today + timedelta(days=expires_in_days),
        )
        await self.run(cmd)

    async def match(self, program_id: UUID, pairs: list[tuple[UUID, UUID]]) -> None:
        for student, m in pairs:
            cmd = AssignMentor(program_id=program_id, student_id=student, mentor_id=m)
            await self.run(cmd)

    async def complete(self, program_id: UUID, students: list[UUID]) -> None:
        for student in students:
            cmd = CompleteEnrollment(program_id=program_id, student_id=student)
            await self.run(cmd)

    async def showcase(
        self,
        program_id: UUID,
        title: str,
        days_ago: int,
        presenters: list[UUID],
        guests: list[UUID],
    ) -> None:
        cmd = RecordShowcase(
            program_id=program_id,
            title=title,
            held_on=self.today - timedelta(days=days_ago),
            presenter_ids=presenters,
            attending_organization_ids=guests,
        )
        await self.run(cmd)
