"""Enrolment in the API: seats, waitlists and who a program is for; enrol, withdraw,
complete, and set a program's eligibility rules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry
from bridgework.graphql import loaders
from bridgework.graphql.context import Info
from bridgework.graphql.directory.mentors import Mentor, mentor_of
from bridgework.graphql.directory.programs import (
    PROGRAM,
    Program,
    ProgramChange,
    changed,
    program_of,
    programs_of,
)
from bridgework.graphql.directory.students import STUDENT, Student
from bridgework.graphql.enums import EnrollmentStatus
from bridgework.graphql.errors import Failure
from bridgework.graphql.policy import Policies, commands
from bridgework.graphql.run import IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.shapes import copied, ident
from bridgework.projections.directory import ProgramView, StudentView
from bridgework.projections.enrolment import (
    EnrolmentEntry,
    ProgramEnrolmentView,
    enrolments_of_programs,
    enrolments_of_students,
    program_enrolments,
)
from bridgework.services.enrolment import (
    HANDLERS,
    CompleteEnrollment,
    EnrollStudent,
    SetEligibility,
    WithdrawStudent,
)

ENROLMENT = loaders.one(program_enrolments)
ENTRIES_OF_PROGRAM = loaders.many(enrolments_of_programs)
ENTRIES_OF_STUDENT = loaders.many(enrolments_of_students)


@strawberry.type
class Enrollment:
    """A student applying to, enrolled in, waitlisted for or done with a program."""

    status: EnrollmentStatus
    waitlist_place: int | None = strawberry.field(
        description="1 for the first in line; null unless waitlisted."
    )
    changed_at: datetime
    reason: str = strawberry.field(
        description="Why they were denied or withdrawn, or what a refusal found."
    )
    rule: str | None = strawberry.field(
        description="The eligibility rule that refused them (REFUSED only), e.g. TOO_YOUNG."
    )
    student: Student | None
    entry: strawberry.Private[EnrolmentEntry]

    @classmethod
    async def load_all(cls, info: Info, entries: list[EnrolmentEntry]) -> list[Enrollment]:
        """Enrollments with their students loaded up front in one batch and built as plain
        values: a list of a hundred then answers `student` without a resolver per row."""
        students = await STUDENT.load_many(info, [e.student_id for e in entries])
        return [
            copied(cls, e, status=EnrollmentStatus(e.status), entry=e, student=_student(view))
            for e, view in zip(entries, students, strict=True)
        ]

    @strawberry.field
    async def program(self, info: Info) -> Program | None:
        return await program_of(info, self.entry.program_id)

    @strawberry.field(description="The mentor assigned in this program, if any.")
    async def mentor(self, info: Info) -> Mentor | None:
        if self.entry.mentor_id is None:
            return None
        return await mentor_of(info, self.entry.mentor_id)


@strawberry.type
class ProgramEnrollment:
    """A program's seats and waitlist (the enrolment view)."""

    capacity: int
    enrolled: int
    waitlisted: int
    withdrawn: int
    completed: int
    applied: int = strawberry.field(description="Open applications, not yet decided.")
    denied: int
    refused: int = strawberry.field(description="Applications the eligibility rules refused.")
    seats_left: int
    program_id: strawberry.Private[UUID]

    @classmethod
    def from_view(cls, v: ProgramEnrolmentView) -> ProgramEnrollment:
        return copied(cls, v)

    @strawberry.field(
        description="Every student: enrolled first, then the waitlist in order, then the rest."
    )
    async def entries(self, info: Info) -> list[Enrollment]:
        found = await ENTRIES_OF_PROGRAM.load(info, self.program_id)
        return await Enrollment.load_all(info, found)

    @strawberry.field(description="The waitlisted students, first in line first.")
    async def waitlist(self, info: Info) -> list[Enrollment]:
        # The same batched load as `entries`: asking for both costs one query.
        found = await ENTRIES_OF_PROGRAM.load(info, self.program_id)
        waiting = [e for e in found if e.status == "WAITLISTED"]
        waiting.sort(key=lambda e: e.waitlist_place or 0)
        return await Enrollment.load_all(info, waiting)


def _student(view: StudentView | None) -> Student | None:
    return None if view is None else Student.from_view(view)


async def enrollment_of(info: Info, program_id: UUID) -> ProgramEnrollment | None:
    found = await ENROLMENT.load(info, program_id)
    return None if found is None else ProgramEnrollment.from_view(found)


async def enrollments_of_student(info: Info, student_id: UUID) -> list[Enrollment]:
    return await Enrollment.load_all(info, await ENTRIES_OF_STUDENT.load(info, student_id))


@strawberry.type
class Eligibility:
    """Who a program is for. Ages are on its start date."""

    min_grade: int | None
    max_grade: int | None
    min_age: int | None
    max_age: int | None
    prerequisite_ids: list[strawberry.ID]

    @strawberry.field(description="Programs a student must have completed first.")
    async def prerequisites(self, info: Info) -> list[Program]:
        return await programs_of(info, [UUID(p) for p in self.prerequisite_ids])


def eligibility_of(v: ProgramView) -> Eligibility:
    return Eligibility(
        min_grade=v.min_grade,
        max_grade=v.max_grade,
        min_age=v.min_age,
        max_age=v.max_age,
        prerequisite_ids=[ident(p) for p in v.prerequisite_ids],
    )


@strawberry.type
class StudentEnrolled(ProgramChange):
    """The student has a seat, or a place on the waitlist (`status`)."""

    status: EnrollmentStatus = strawberry.field(description="ENROLLED or WAITLISTED.")
    message: str = strawberry.field(description="What happened, worded for the coordinator.")


@strawberry.type
class StudentWithdrawn(ProgramChange):
    """The student left the program; their seat went to the first in line, if any."""


@strawberry.type
class EnrollmentCompleted(ProgramChange):
    """The student completed the program; their seat went to the first in line, if any."""


@strawberry.type
class EligibilitySet(Recorded):
    """The program's rules are set (replacing any before)."""

    program_id: strawberry.ID

    @strawberry.field(description="As the views show it once they include this write.")
    async def program(self, info: Info) -> Program | None:
        return await viewed(info, self.position, PROGRAM, self.program_id, Program.from_view)


EnrollStudentPayload = Annotated[
    StudentEnrolled | Failure, strawberry.union("EnrollStudentPayload")
]
WithdrawStudentPayload = Annotated[
    StudentWithdrawn | Failure, strawberry.union("WithdrawStudentPayload")
]
CompleteEnrollmentPayload = Annotated[
    EnrollmentCompleted | Failure, strawberry.union("CompleteEnrollmentPayload")
]
SetEligibilityPayload = Annotated[
    EligibilitySet | Failure, strawberry.union("SetEligibilityPayload")
]


@strawberry.input
class EnrollStudentInput:
    """A student asking for a seat in a program."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class WithdrawStudentInput:
    """A student leaving a program, and why."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    reason: str = strawberry.field(default="", description="At most 2,000 characters.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class CompleteEnrollmentInput:
    """A student who finished a program."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class SetEligibilityInput:
    """Grades 0 to 12, ages 3 to 120 (on the start date), up to 20 prerequisite programs."""

    program_id: strawberry.ID
    min_grade: int | None = None
    max_grade: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    prerequisite_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Enrol a student; when every seat is taken they join the waitlist."
    )
    async def enroll_student(self, info: Info, input: EnrollStudentInput) -> EnrollStudentPayload:
        return await run(
            info,
            EnrollStudent,
            input,
            lambda r: StudentEnrolled(
                program_id=input.program_id,
                student_id=input.student_id,
                status=EnrollmentStatus(r.status or "ENROLLED"),
                message=r.message or "",
                position=r.position,
            ),
        )

    @strawberry.mutation(
        description="Withdraw a student; their seat goes to the first on the waitlist."
    )
    async def withdraw_student(
        self, info: Info, input: WithdrawStudentInput
    ) -> WithdrawStudentPayload:
        return await run(info, WithdrawStudent, input, changed(StudentWithdrawn, input))

    @strawberry.mutation(
        description="Mark an enrolled student as having completed the program; their seat "
        "goes to the first on the waitlist."
    )
    async def complete_enrollment(
        self, info: Info, input: CompleteEnrollmentInput
    ) -> CompleteEnrollmentPayload:
        return await run(info, CompleteEnrollment, input, changed(EnrollmentCompleted, input))

    @strawberry.mutation(description="Set who a program is for; refusals name the rule.")
    async def set_eligibility(
        self, info: Info, input: SetEligibilityInput
    ) -> SetEligibilityPayload:
        return await run(
            info,
            SetEligibility,
            input,
            lambda r: EligibilitySet(program_id=input.program_id, position=r.position),
        )


POLICIES: Policies = {"Mutation": commands(HANDLERS)}
"""Who may run each root field of this area (`policy.py`)."""
