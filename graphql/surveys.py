"""Surveys and evaluations in the API: what students said before and after a program, and
how their internship supervisors rated them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from bridgework.domain.student import EvaluationPhase, SurveyPhase
from bridgework.graphql.errors import Failure
from bridgework.graphql.mutations import AS_VIEWED, IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.types import Info, Program, Student, program_of
from bridgework.services import surveys as su
from bridgework.services.unit_of_work import CommandResult

if TYPE_CHECKING:
    from bridgework.projections.views import EvaluationView, StudentSurveyView, SurveyDelta


strawberry.enum(SurveyPhase, description="Before a program or after it.")
strawberry.enum(EvaluationPhase, description="Halfway through an internship, or at its end.")


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
        return cls(
            question=v.question, respondents=v.respondents, pre_mean=v.pre_mean,
            post_mean=v.post_mean, improved_share=v.improved_share, mean_change=v.mean_change,
        )  # fmt: skip


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
        return cls(
            program_id=strawberry.ID(str(v.program_id)), question=v.question, pre=v.pre,
            post=v.post, change=v.change, pre_answered_on=v.pre_on, post_answered_on=v.post_on,
        )  # fmt: skip

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
        return cls(
            id=strawberry.ID(str(v.id)), program_id=strawberry.ID(str(v.program_id)),
            phase=EvaluationPhase(v.phase), evaluator=v.evaluator, evaluated_on=v.evaluated_on,
            comments=v.comments,
            ratings=[CompetencyRating(competency=r.competency, score=r.score) for r in v.ratings],
        )  # fmt: skip

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
        found = await viewed(info, self.position, info.context.loaders.student, self.student_id)
        return None if found is None else Student.from_view(found)


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


@strawberry.type
class SurveyMutation:
    @strawberry.mutation(description="Record a student's pre or post survey for a program.")
    async def record_survey(self, info: Info, input: RecordSurveyInput) -> SurveyPayload:
        r = await run(info, su.record_survey, su.RecordSurvey, input)
        if not isinstance(r, CommandResult):
            return r
        return SurveyRecorded(
            id=strawberry.ID(str(r.id)), student_id=input.student_id,
            program_id=input.program_id, position=r.position,
        )  # fmt: skip

    @strawberry.mutation(description="Record a supervisor's evaluation of an intern.")
    async def record_evaluation(self, info: Info, input: RecordEvaluationInput) -> SurveyPayload:
        r = await run(info, su.record_evaluation, su.RecordEvaluation, input)
        if not isinstance(r, CommandResult):
            return r
        return SurveyRecorded(
            id=strawberry.ID(str(r.id)), student_id=input.student_id,
            program_id=input.program_id, position=r.position,
        )  # fmt: skip
