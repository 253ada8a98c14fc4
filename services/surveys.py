"""Surveys and evaluations: what students said before and after a program, and what their
internship supervisors made of them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, ClassVar
from uuid import UUID

import msgspec
from bridgework.domain.errors import RuleViolated
from bridgework.domain.program import Program, ProgramKind
from bridgework.domain.student import Student
from bridgework.domain.surveys import EvaluationPhase, SurveyPhase
from bridgework.services.authority import authorise_self
from bridgework.services.bus import Handlers
from bridgework.services.command import Command, Key, Name, Text
from bridgework.services.context import Role
from bridgework.services.enrolment import participant
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

Score = Annotated[int, msgspec.Meta(ge=1, le=5)]


class Answer(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    question: Key
    score: Score


class Rating(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    competency: Key
    score: Score


class RecordSurvey(Command):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COORDINATOR, Role.STUDENT})

    student_id: UUID
    program_id: UUID
    phase: SurveyPhase
    answered_on: date
    answers: Annotated[list[Answer], msgspec.Meta(min_length=1, max_length=50)]

    def check(self) -> None:
        questions = [a.question for a in self.answers]
        if len(set(questions)) != len(questions):
            raise InvalidInput("answers", "answers lists a question twice")


class RecordEvaluation(Command):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.COORDINATOR, Role.MENTOR})

    student_id: UUID
    program_id: UUID
    phase: EvaluationPhase
    evaluator: Name
    """The supervisor's name."""
    evaluated_on: date
    ratings: Annotated[list[Rating], msgspec.Meta(min_length=1, max_length=30)]
    comments: Text = ""

    def check(self) -> None:
        competencies = [r.competency for r in self.ratings]
        if len(set(competencies)) != len(competencies):
            raise InvalidInput("ratings", "ratings lists a competency twice")


async def _participant(s: Session, student_id: UUID, program_id: UUID) -> tuple[Student, Program]:
    student = await s.get(Student, student_id, "studentId")
    return student, await participant(s, program_id, student)


@HANDLERS.of(RecordSurvey)
async def record_survey(deps: Deps, ctx: CommandContext, cmd: RecordSurvey) -> CommandResult:
    """Record a student's pre or post survey for a program they took part in; answering the
    same phase again corrects the earlier answers. A student may answer only for themselves
    (their token names their student id)."""
    authorise_self(ctx, Role.STUDENT, cmd.student_id, "answer surveys only for themselves")

    async def decide(s: Session) -> CommandResult:
        student, program = await _participant(s, cmd.student_id, cmd.program_id)
        survey_id = deps.new_id()
        student.answer_survey(
            survey_id=survey_id,
            program_id=program.id,
            program_name=program.name,
            phase=cmd.phase,
            answered_on=cmd.answered_on,
            answers=tuple((a.question, a.score) for a in cmd.answers),
            at=s.now,
        )
        return CommandResult(id=survey_id)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(RecordEvaluation)
async def record_evaluation(
    deps: Deps, ctx: CommandContext, cmd: RecordEvaluation
) -> CommandResult:
    """Record a supervisor's midpoint or end evaluation of an intern; the same phase again
    corrects the earlier one."""

    async def decide(s: Session) -> CommandResult:
        student, program = await _participant(s, cmd.student_id, cmd.program_id)
        if program.kind != ProgramKind.INTERNSHIP:
            raise RuleViolated(
                "NOT_AN_INTERNSHIP",
                f"'{program.name}' is a {program.kind.replace('_', ' ')}: only internships "
                "have supervisor evaluations",
            )
        evaluation_id = deps.new_id()
        student.evaluate(
            evaluation_id=evaluation_id,
            program_id=program.id,
            program_name=program.name,
            phase=cmd.phase,
            evaluator=cmd.evaluator,
            evaluated_on=cmd.evaluated_on,
            ratings=tuple((r.competency, r.score) for r in cmd.ratings),
            comments=cmd.comments,
            at=s.now,
        )
        return CommandResult(id=evaluation_id)

    return await execute(deps, ctx, cmd, decide)
