"""Surveys and evaluations in the API: what students said before and after a program, and
how their internship supervisors rated them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated
from uuid import UUID

import strawberry
from bridgework.graphql import loaders
from bridgework.graphql.context import Info
from bridgework.graphql.directory.programs import Program, program_of
from bridgework.graphql.directory.students import STUDENT, Student
from bridgework.graphql.enums import EvaluationPhase, SurveyPhase
from bridgework.graphql.errors import Failure
from bridgework.graphql.policy import Policies, commands
from bridgework.graphql.run import AS_VIEWED, IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.shapes import copied, ident
from bridgework.projections.surveys import (
    EvaluationView,
    StudentSurveyView,
    SurveyDelta,
    evaluations_of_students,
    survey_deltas_of_programs,
    surveys_of_students,
)
from bridgework.services.surveys import HANDLERS, RecordEvaluation, RecordSurvey
from bridgework.services.unit_of_work import CommandResult

RESULTS_OF_PROGRAM = loaders.many(survey_deltas_of_programs)
SURVEYS_OF_STUDENT = loaders.many(surveys_of_students)
EVALUATIONS_OF_STUDENT = loaders.many(evaluations_of_students)


@strawberry.type
class SurveyResult:
    """One survey question in a program: pre and post over the students who answered both."""

    question: str
    respondents: int = strawberry.field(description="Students who answered both pre and post.")
    pre_mean: float | None
    post_mean: float | None
    improved_share: float | None = strawberry.field(
        description="Share of respondents whose post answer is higher than their pre answer."
    )
    mean_change: float | None = strawberry.field(description="Mean of post minus pre.")

    @classmethod
    def from_view(cls, v: SurveyDelta) -> SurveyResult:
        return copied(cls, v)


@strawberry.type
class StudentSurvey:
    """A student's pre and post answers (1 to 5) to one question of a program's survey."""

    program_id: strawberry.ID
    question: str
    pre: int | None
    post: int | None
    change: int | None = strawberry.field(description="Post minus pre, once both are in.")
    pre_answered_on: date | None
    post_answered_on: date | None

    @classmethod
    def from_view(cls, v: StudentSurveyView) -> StudentSurvey:
        return copied(
            cls,
            v,
            program_id=ident(v.program_id),
            pre_answered_on=v.pre_on,
            post_answered_on=v.post_on,
        )

    @strawberry.field
    async def program(self, info: Info) -> Program | None:
        return await program_of(info, UUID(self.program_id))


@strawberry.type
class CompetencyRating:
    competency: str
    score: int = strawberry.field(description="1 to 5.")


@strawberry.type
class Evaluation:
    """A supervisor's evaluation of an intern: the latest for its phase."""

    id: strawberry.ID
    program_id: strawberry.ID
    phase: EvaluationPhase
    evaluator: str = strawberry.field(description="The supervisor's name.")
    evaluated_on: date
    comments: str
    ratings: list[CompetencyRating] = strawberry.field(description="By competency, A to Z.")

    @classmethod
    def from_view(cls, v: EvaluationView) -> Evaluation:
        ratings = [CompetencyRating(competency=r.competency, score=r.score) for r in v.ratings]
        return copied(
            cls,
            v,
            id=ident(v.id),
            program_id=ident(v.program_id),
            phase=EvaluationPhase(v.phase),
            ratings=ratings,
        )

    @strawberry.field
    async def program(self, info: Info) -> Program | None:
        return await program_of(info, UUID(self.program_id))


@strawberry.type
class SurveyRecorded(Recorded):
    """The survey answers or the evaluation are on record."""

    id: strawberry.ID
    student_id: strawberry.ID
    program_id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def student(self, info: Info) -> Student | None:
        return await viewed(info, self.position, STUDENT, self.student_id, Student.from_view)


SurveyPayload = Annotated[SurveyRecorded | Failure, strawberry.union("SurveyPayload")]


@strawberry.input
class AnswerInput:
    question: str = strawberry.field(
        description="A key: lower case letters, digits and _, e.g. confidence_lab_techniques."
    )
    score: int = strawberry.field(description="1 (not at all) to 5 (very much).")


@strawberry.input
class RecordSurveyInput:
    """A student's answers before (PRE) or after (POST) a program they took part in. The same
    phase again replaces the earlier answers. A student may answer only for themselves."""

    student_id: strawberry.ID
    program_id: strawberry.ID
    phase: SurveyPhase
    answered_on: date
    answers: list[AnswerInput] = strawberry.field(description="1 to 50 distinct questions.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RatingInput:
    competency: str = strawberry.field(description="A key, e.g. communication.")
    score: int = strawberry.field(description="1 to 5.")


@strawberry.input
class RecordEvaluationInput:
    """A supervisor's evaluation of an intern; the same phase again replaces the earlier."""

    student_id: strawberry.ID
    program_id: strawberry.ID
    phase: EvaluationPhase
    evaluator: str = strawberry.field(description="The supervisor's name.")
    evaluated_on: date
    ratings: list[RatingInput] = strawberry.field(description="1 to 30 distinct competencies.")
    comments: str = ""
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


async def results_of(info: Info, program_id: UUID) -> list[SurveyResult]:
    return [SurveyResult.from_view(v) for v in await RESULTS_OF_PROGRAM.load(info, program_id)]


async def surveys_of(info: Info, student_id: UUID) -> list[StudentSurvey]:
    return [StudentSurvey.from_view(v) for v in await SURVEYS_OF_STUDENT.load(info, student_id)]


async def evaluations_of(info: Info, student_id: UUID) -> list[Evaluation]:
    found = await EVALUATIONS_OF_STUDENT.load(info, student_id)
    return [Evaluation.from_view(v) for v in found]


def _recorded(
    input: RecordSurveyInput | RecordEvaluationInput,
) -> Callable[[CommandResult], SurveyRecorded]:
    def recorded(r: CommandResult) -> SurveyRecorded:
        return SurveyRecorded(
            id=ident(r.id),
            student_id=input.student_id,
            program_id=input.program_id,
            position=r.position,
        )

    return recorded


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Record a student's pre or post survey for a program.")
    async def record_survey(self, info: Info, input: RecordSurveyInput) -> SurveyPayload:
        return await run(info, RecordSurvey, input, _recorded(input))

    @strawberry.mutation(description="Record a supervisor's evaluation of an intern.")
    async def record_evaluation(self, info: Info, input: RecordEvaluationInput) -> SurveyPayload:
        return await run(info, RecordEvaluation, input, _recorded(input))


POLICIES: Policies = {"Mutation": commands(HANDLERS)}
"""Who may run each root field of this area (`policy.py`)."""
