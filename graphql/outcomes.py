"""Outcomes in the API: what a program achieved (showcases, completions, mentoring), and per
student and program they applied to or joined, where they stand, their hours, attendance,
survey changes, credentials, pathways and evaluations.

A student's outcomes are built only from the request's DataLoaders (each per student or per
program), so a page of students with their outcomes costs one query per loader used, not one
per student or row.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import strawberry
from bridgework.graphql import loaders
from bridgework.graphql.achievements import Credential, StudentPathway, credentials_of, pathways_of
from bridgework.graphql.attendance import StudentAttendance, attendance_of_student
from bridgework.graphql.context import Info
from bridgework.graphql.directory.organizations import Organization, organizations_of
from bridgework.graphql.directory.programs import PROGRAM, Program, program_of
from bridgework.graphql.directory.students import Student, students_of
from bridgework.graphql.enrolment import ENTRIES_OF_STUDENT
from bridgework.graphql.enums import EnrollmentStatus
from bridgework.graphql.errors import Failure
from bridgework.graphql.hours import HOURS_OF_STUDENT
from bridgework.graphql.policy import Policies, commands
from bridgework.graphql.run import AS_VIEWED, IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.shapes import copied, ident
from bridgework.graphql.surveys import Evaluation, StudentSurvey, evaluations_of, surveys_of
from bridgework.projections.enrolment import EnrolmentEntry
from bridgework.projections.hours import HoursView
from bridgework.projections.outcomes import (
    ProgramOutcomeView,
    ShowcaseView,
    program_outcomes,
    showcases_of_programs,
)
from bridgework.services.outcomes import HANDLERS, RecordShowcase

OUTCOME = loaders.one(program_outcomes)
SHOWCASES_OF_PROGRAM = loaders.many(showcases_of_programs)

VERIFIED = frozenset({"verified", "approved"})
"""Hours statuses a supervisor confirmed (approval follows verification)."""


@strawberry.type
class ProgramOutcome:
    """What a program achieved so far (the outcome view)."""

    showcases_held: int
    students_presented: int = strawberry.field(
        description="Distinct students who presented at one or more showcases."
    )
    completions: int
    completion_rate: float | None = strawberry.field(
        description="Completions ÷ students who ever held a seat; null before anyone has."
    )
    mentors_assigned: int = strawberry.field(description="Distinct mentors ever assigned.")
    students_mentored: int

    @classmethod
    def from_view(cls, v: ProgramOutcomeView) -> ProgramOutcome:
        return copied(cls, v)


@strawberry.type
class Showcase:
    """An event where a program's students presented to partners."""

    id: strawberry.ID
    title: str
    held_on: date
    view: strawberry.Private[ShowcaseView]

    @classmethod
    def from_view(cls, v: ShowcaseView) -> Showcase:
        return copied(cls, v, id=ident(v.id), view=v)

    @strawberry.field
    async def presenters(self, info: Info) -> list[Student]:
        return await students_of(info, self.view.presenter_ids)

    @strawberry.field(description="Partner organisations who attended.")
    async def attending_organizations(self, info: Info) -> list[Organization]:
        return await organizations_of(info, self.view.attending_organisation_ids)


async def outcome_of(info: Info, program_id: UUID) -> ProgramOutcome | None:
    found = await OUTCOME.load(info, program_id)
    return None if found is None else ProgramOutcome.from_view(found)


async def showcases_of(info: Info, program_id: UUID) -> list[Showcase]:
    return [Showcase.from_view(s) for s in await SHOWCASES_OF_PROGRAM.load(info, program_id)]


def _total(entries: list[HoursView], statuses: frozenset[str] | None = None) -> Decimal:
    return sum((e.hours for e in entries if statuses is None or e.status in statuses), Decimal(0))


@strawberry.type
class StudentOutcome:
    """What one student got out of one program: their standing, hours, attendance, survey
    changes, credentials, pathways and evaluations there."""

    entry: strawberry.Private[EnrolmentEntry]

    @strawberry.field(description="Null only while the views have not caught up with it.")
    async def program(self, info: Info) -> Program | None:
        return await program_of(info, self.entry.program_id)

    @strawberry.field(description="Where they stand in the program now.")
    def status(self) -> EnrollmentStatus:
        return EnrollmentStatus(self.entry.status)

    async def _hours(self, info: Info) -> list[HoursView]:
        found = await HOURS_OF_STUDENT.load(info, self.entry.student_id)
        return [h for h in found if h.program_id == self.entry.program_id]

    @strawberry.field(description="Every hour logged in the program, whatever became of it.")
    async def hours_submitted(self, info: Info) -> Decimal:
        return _total(await self._hours(info))

    @strawberry.field(description="Confirmed by supervisors (approved ones included).")
    async def hours_verified(self, info: Info) -> Decimal:
        return _total(await self._hours(info), VERIFIED)

    @strawberry.field(description="Approved by the school.")
    async def hours_approved(self, info: Info) -> Decimal:
        return _total(await self._hours(info), frozenset({"approved"}))

    @strawberry.field(description="Their attendance in the program; null if never marked.")
    async def attendance(self, info: Info) -> StudentAttendance | None:
        return await attendance_of_student(info, self.entry.program_id, self.entry.student_id)

    @strawberry.field(description="Their pre and post answers in the program, by question.")
    async def survey_changes(self, info: Info) -> list[StudentSurvey]:
        found = await surveys_of(info, self.entry.student_id)
        return [v for v in found if v.program_id == str(self.entry.program_id)]

    @strawberry.field(description="Credentials earned through the program, earliest first.")
    async def credentials(self, info: Info) -> list[Credential]:
        found = await credentials_of(info, self.entry.student_id)
        return [v for v in found if v.program_id == str(self.entry.program_id)]

    @strawberry.field(description="Where the program led them, earliest first.")
    async def pathways(self, info: Info) -> list[StudentPathway]:
        found = await pathways_of(info, self.entry.student_id)
        return [v for v in found if v.program_id == str(self.entry.program_id)]

    @strawberry.field(description="Supervisors' evaluations in the program, midpoint first.")
    async def evaluations(self, info: Info) -> list[Evaluation]:
        found = await evaluations_of(info, self.entry.student_id)
        return [v for v in found if v.program_id == str(self.entry.program_id)]


async def student_outcomes(info: Info, student_id: UUID) -> list[StudentOutcome]:
    """One outcome per program the student has an enrolment entry in (any status), in the
    enrolment view's order of standing."""
    entries = await ENTRIES_OF_STUDENT.load(info, student_id)
    return [StudentOutcome(entry=e) for e in entries]


@strawberry.type
class ShowcaseRecorded(Recorded):
    """The showcase is recorded."""

    id: strawberry.ID
    program_id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def program(self, info: Info) -> Program | None:
        return await viewed(info, self.position, PROGRAM, self.program_id, Program.from_view)


RecordShowcasePayload = Annotated[
    ShowcaseRecorded | Failure, strawberry.union("RecordShowcasePayload")
]


@strawberry.input
class RecordShowcaseInput:
    """A showcase: its title, date, the students who presented and the partners who came."""

    program_id: strawberry.ID
    title: str
    held_on: date
    presenter_ids: list[strawberry.ID] = strawberry.field(description="Distinct students.")
    attending_organization_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Record a showcase: students presented their projects to partners."
    )
    async def record_showcase(
        self, info: Info, input: RecordShowcaseInput
    ) -> RecordShowcasePayload:
        return await run(
            info,
            RecordShowcase,
            input,
            lambda r: ShowcaseRecorded(
                id=ident(r.id), program_id=input.program_id, position=r.position
            ),
        )


POLICIES: Policies = {"Mutation": commands(HANDLERS)}
"""Who may run each root field of this area (`policy.py`)."""
