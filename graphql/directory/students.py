"""Students: who they are, and every other area's facts about each."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from bridgework.graphql import loaders, reach
from bridgework.graphql.context import Info
from bridgework.graphql.directory.organizations import Organization, organization_of
from bridgework.graphql.directory.timeline import TimelineConnection, timeline_of
from bridgework.graphql.errors import Failure
from bridgework.graphql.history import history_field
from bridgework.graphql.lazy import area, later
from bridgework.graphql.pages import AtLeast, parse_id
from bridgework.graphql.run import AS_VIEWED, IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.shapes import copied, ident
from bridgework.projections.directory import StudentView, students
from bridgework.services.directory import EraseStudent, RegisterStudent

# Other areas' types and resolvers this one serves: typed for mypy, found when first called
# (`lazy.py`), since those areas import this one.
if TYPE_CHECKING:
    from bridgework.graphql.achievements import (
        Credential,
        StudentPathway,
        credentials_of,
        pathways_of,
    )
    from bridgework.graphql.enrolment import Enrollment, enrollments_of_student
    from bridgework.graphql.hours import HoursEntry, hours_of_student
    from bridgework.graphql.outcomes import StudentOutcome, student_outcomes
    from bridgework.graphql.safeguarding import GuardianConsent, consents_of
    from bridgework.graphql.surveys import Evaluation, StudentSurvey, evaluations_of, surveys_of
else:
    enrollments_of_student = later("enrolment", "enrollments_of_student")
    credentials_of = later("achievements", "credentials_of")
    pathways_of = later("achievements", "pathways_of")
    surveys_of = later("surveys", "surveys_of")
    evaluations_of = later("surveys", "evaluations_of")
    hours_of_student = later("hours", "hours_of_student")
    consents_of = later("safeguarding", "consents_of")
    student_outcomes = later("outcomes", "student_outcomes")

STUDENT = loaders.one(students, reach.students)

_achievements = area("achievements")
_enrolment = area("enrolment")
_hours = area("hours")
_outcomes = area("outcomes")
_safeguarding = area("safeguarding")
_surveys = area("surveys")


@strawberry.type
class Student:
    """A student taking part in programs."""

    id: strawberry.ID
    name: str
    grade: int | None
    registered_at: datetime
    view: strawberry.Private[StudentView]
    history = history_field("student")

    @classmethod
    def from_view(cls, v: StudentView) -> Student:
        return copied(cls, v, id=ident(v.id), view=v)

    @strawberry.field
    async def school(self, info: Info) -> Organization | None:
        if self.view.school_id is None:
            return None
        return await organization_of(info, self.view.school_id)

    @strawberry.field(description="The student's programs and where they stand in each.")
    async def enrollments(self, info: Info) -> list[Annotated[Enrollment, _enrolment]]:
        return await enrollments_of_student(info, self.view.id)

    @strawberry.field(
        description="Every event about the student, oldest first (or newest first), a page at "
        "a time: pass a page's `endCursor` as `after` for the next."
    )
    async def timeline(
        self, info: Info, first: int = 50, after: str | None = None, newest_first: bool = False
    ) -> TimelineConnection:
        personal = reach.reach_of(info).sees_personal_of(self.view)
        return await timeline_of(
            info, self.view.id, first, after, newest_first=newest_first, personal=personal
        )

    @strawberry.field(
        description="Null if not on record (then treated as under 18), or if you may not see "
        "it: the student, their school's staff and callers granted personal data may."
    )
    def date_of_birth(self, info: Info) -> date | None:
        return self.view.date_of_birth if reach.reach_of(info).sees_personal_of(self.view) else None

    @strawberry.field(description="Credentials earned, earliest first.")
    async def credentials(self, info: Info) -> list[Annotated[Credential, _achievements]]:
        return await credentials_of(info, self.view.id)

    @strawberry.field(description="Where the student went next, earliest first.")
    async def pathways(self, info: Info) -> list[Annotated[StudentPathway, _achievements]]:
        return await pathways_of(info, self.view.id)

    @strawberry.field(description="Pre and post survey answers, by program and question.")
    async def surveys(self, info: Info) -> list[Annotated[StudentSurvey, _surveys]]:
        return await surveys_of(info, self.view.id)

    @strawberry.field(description="Supervisors' evaluations, by program, midpoint first.")
    async def evaluations(self, info: Info) -> list[Annotated[Evaluation, _surveys]]:
        return await evaluations_of(info, self.view.id)

    @strawberry.field(description="Their hours in every program, by the day worked.")
    async def hours(self, info: Info) -> list[Annotated[HoursEntry, _hours]]:
        return await hours_of_student(info, self.view.id)

    @strawberry.field(description="Guardians' consents, in the order they were recorded.")
    async def consents(self, info: Info) -> list[Annotated[GuardianConsent, _safeguarding]]:
        if not reach.reach_of(info).sees_personal_of(self.view):
            return []  # guardians' names: the student's school and the student only
        return await consents_of(info, self.view.id)

    @strawberry.field(
        description="Per program they have an enrolment entry in (any status), in the order of "
        "`enrollments`: their standing, hours, attendance, survey changes, credentials, "
        "pathways and evaluations there."
    )
    async def outcomes(self, info: Info) -> list[Annotated[StudentOutcome, _outcomes]]:
        return await student_outcomes(info, self.view.id)


async def student_of(info: Info, student_id: UUID) -> Student | None:
    """The student, through the request's loader (None if the views do not have them)."""
    found = await STUDENT.load(info, student_id)
    return None if found is None else Student.from_view(found)


async def students_of(info: Info, ids: list[UUID]) -> list[Student]:
    """The students the views have, in the order asked."""
    found = await STUDENT.load_many(info, ids)
    return [Student.from_view(s) for s in found if s is not None]


@strawberry.type
class StudentRegistered(Recorded):
    """The student is registered."""

    id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def student(self, info: Info) -> Student | None:
        return await viewed(info, self.position, STUDENT, self.id, Student.from_view)


RegisterStudentPayload = Annotated[
    StudentRegistered | Failure, strawberry.union("RegisterStudentPayload")
]


@strawberry.input
class RegisterStudentInput:
    """A new student."""

    name: str
    grade: int | None = strawberry.field(default=None, description="0 (kindergarten) to 12.")
    school_id: strawberry.ID | None = None
    date_of_birth: date | None = strawberry.field(
        default=None,
        description="Without it the student counts as under 18: enrolment needs a guardian's "
        "consent.",
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class StudentErased(Recorded):
    """The student's personal data is erased: their name reads "erased" from now on."""

    id: strawberry.ID


EraseStudentPayload = Annotated[StudentErased | Failure, strawberry.union("EraseStudentPayload")]


@strawberry.input
class EraseStudentInput:
    """A student whose personal data is to be erased, and why."""

    student_id: strawberry.ID
    reason: str = strawberry.field(
        description="Kept after the erasure as its audit, so it may not name the student."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class Query:
    @strawberry.field(description="A student by id, with their programs.")
    async def student(
        self, info: Info, id: strawberry.ID, at_least: AtLeast = None
    ) -> Student | None:
        await info.context.see_at_least(at_least)
        return await student_of(info, parse_id("id", id))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a student, optionally at their school.")
    async def register_student(
        self, info: Info, input: RegisterStudentInput
    ) -> RegisterStudentPayload:
        return await run(
            info,
            RegisterStudent,
            input,
            lambda r: StudentRegistered(id=ident(r.id), position=r.position),
        )

    @strawberry.mutation(
        description="Erase a student's personal data (their right to erasure): their data "
        "keys are destroyed, so their name, date of birth, guardians, statements, notes and "
        'supervisors read "erased" everywhere, in the log and in every view; what they '
        "took part in (seats, hours, attendance, scores) stays counted. It cannot be undone."
    )
    async def erase_student(self, info: Info, input: EraseStudentInput) -> EraseStudentPayload:
        return await run(
            info, EraseStudent, input, lambda r: StudentErased(id=ident(r.id), position=r.position)
        )
