"""A student's outcomes in the API: per program they applied to or joined, where they stand,
their hours, attendance, survey changes, credentials, pathways and evaluations.

Built only from the request's DataLoaders (each per student or per program), so a page of
students with their outcomes costs one query per loader used, not one per student or row.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import strawberry
from bridgework.graphql.participation import StudentAttendance
from bridgework.graphql.students import Credential, StudentPathway
from bridgework.graphql.surveys import Evaluation, StudentSurvey
from bridgework.graphql.types import EnrollmentStatus, Info, Program, program_of
from bridgework.projections.views import EnrolmentEntry, HoursView

VERIFIED = frozenset({"verified", "approved"})
"""Hours statuses a supervisor confirmed (approval follows verification)."""


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
        found = await info.context.loaders.hours_of_student.load(self.entry.student_id)
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
        found = await info.context.loaders.attendance_of_program.load(self.entry.program_id)
        mine = next((a for a in found if a.student_id == self.entry.student_id), None)
        return None if mine is None else StudentAttendance.from_view(mine)

    @strawberry.field(description="Their pre and post answers in the program, by question.")
    async def survey_changes(self, info: Info) -> list[StudentSurvey]:
        found = await info.context.loaders.surveys_of_student.load(self.entry.student_id)
        return [StudentSurvey.from_view(v) for v in found if v.program_id == self.entry.program_id]

    @strawberry.field(description="Credentials earned through the program, earliest first.")
    async def credentials(self, info: Info) -> list[Credential]:
        found = await info.context.loaders.credentials_of_student.load(self.entry.student_id)
        return [Credential.from_view(v) for v in found if v.program_id == self.entry.program_id]

    @strawberry.field(description="Where the program led them, earliest first.")
    async def pathways(self, info: Info) -> list[StudentPathway]:
        found = await info.context.loaders.pathways_of_student.load(self.entry.student_id)
        return [StudentPathway.from_view(v) for v in found if v.program_id == self.entry.program_id]

    @strawberry.field(description="Supervisors' evaluations in the program, midpoint first.")
    async def evaluations(self, info: Info) -> list[Evaluation]:
        found = await info.context.loaders.evaluations_of_student.load(self.entry.student_id)
        return [Evaluation.from_view(v) for v in found if v.program_id == self.entry.program_id]


async def student_outcomes(info: Info, student_id: UUID) -> list[StudentOutcome]:
    """One outcome per program the student has an enrolment entry in (any status), in the
    enrolment view's order of standing."""
    entries = await info.context.loaders.entries_of_student.load(student_id)
    return [StudentOutcome(entry=e) for e in entries]
