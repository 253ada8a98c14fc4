"""Surveys a student answers before and after a program, and a supervisor's evaluations."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from bridgework.domain.base import day
from bridgework.domain.errors import RuleViolated
from bridgework.domain.student_state import StudentState, not_after
from eventsourcing.domain import Aggregate, event


class SurveyPhase(StrEnum):
    """When a student answered a survey: before a program or after it."""

    PRE = "pre"
    POST = "post"


class EvaluationPhase(StrEnum):
    """When a supervisor evaluated an intern."""

    MIDPOINT = "midpoint"
    END = "end"


class Surveys(StudentState):
    """Surveys and evaluations of a student (a mixin of `Student`)."""

    class SurveyAnswered(Aggregate.Event):
        """A later answer of the same phase for the same program corrects this one."""

        survey_id: UUID
        program_id: UUID
        phase: SurveyPhase
        answered_on: date
        answers: tuple[tuple[str, int], ...]
        """Question key → score 1..5, e.g. ("confidence_lab_techniques", 2)."""

    class EvaluationRecorded(Aggregate.Event):
        """A supervisor's evaluation of an intern; the same phase again corrects it."""

        evaluation_id: UUID
        program_id: UUID
        phase: EvaluationPhase
        evaluator: str
        evaluated_on: date
        ratings: tuple[tuple[str, int], ...]
        """Competency → score 1..5, e.g. ("communication", 4)."""
        comments: str

    def answer_survey(
        self,
        *,
        survey_id: UUID,
        program_id: UUID,
        program_name: str,
        phase: SurveyPhase,
        answered_on: date,
        answers: tuple[tuple[str, int], ...],
        at: datetime,
    ) -> None:
        not_after("A survey", answered_on, at)
        self._check_dated_in_order(
            "survey",
            program_id,
            program_name,
            phase,
            answered_on,
            (SurveyPhase.PRE, SurveyPhase.POST),
            ("POST_BEFORE_PRE", "PRE_AFTER_POST"),
        )
        self._answer(
            survey_id=survey_id,
            program_id=program_id,
            phase=phase,
            answered_on=answered_on,
            answers=answers,
            timestamp=at,
        )

    @event(SurveyAnswered)
    def _answer(
        self,
        survey_id: UUID,
        program_id: UUID,
        phase: SurveyPhase,
        answered_on: date,
        answers: tuple[tuple[str, int], ...],
        timestamp: datetime,
    ) -> None:
        self.dated[program_id, SurveyPhase(phase)] = answered_on

    def evaluate(
        self,
        *,
        evaluation_id: UUID,
        program_id: UUID,
        program_name: str,
        phase: EvaluationPhase,
        evaluator: str,
        evaluated_on: date,
        ratings: tuple[tuple[str, int], ...],
        comments: str,
        at: datetime,
    ) -> None:
        not_after("An evaluation", evaluated_on, at)
        self._check_dated_in_order(
            "evaluation",
            program_id,
            program_name,
            phase,
            evaluated_on,
            (EvaluationPhase.MIDPOINT, EvaluationPhase.END),
            ("END_BEFORE_MIDPOINT", "END_BEFORE_MIDPOINT"),
        )
        self._evaluate(
            evaluation_id=evaluation_id,
            program_id=program_id,
            phase=phase,
            evaluator=evaluator,
            evaluated_on=evaluated_on,
            ratings=ratings,
            comments=comments,
            timestamp=at,
        )

    @event(EvaluationRecorded)
    def _evaluate(
        self,
        evaluation_id: UUID,
        program_id: UUID,
        phase: EvaluationPhase,
        evaluator: str,
        evaluated_on: date,
        ratings: tuple[tuple[str, int], ...],
        comments: str,
        timestamp: datetime,
    ) -> None:
        self.dated[program_id, EvaluationPhase(phase)] = evaluated_on

    def _check_dated_in_order(
        self,
        what: str,
        program_id: UUID,
        program_name: str,
        phase: SurveyPhase | EvaluationPhase,
        on: date,
        pair: tuple[SurveyPhase, SurveyPhase] | tuple[EvaluationPhase, EvaluationPhase],
        rules: tuple[str, str],
    ) -> None:
        """The second of a pair of phases (pre, post; midpoint, end) is never dated before
        the first: `rules` name a late first and an early second."""
        first, second = pair
        earlier, later = self.dated.get((program_id, first)), self.dated.get((program_id, second))
        about = f"{self.name}'s {phase} {what} for '{program_name}' cannot be dated {day(on)}"
        if phase == second and earlier is not None and on < earlier:
            raise RuleViolated(rules[0], f"{about}, before their {first} {what} of {day(earlier)}")
        if phase == first and later is not None and on > later:
            raise RuleViolated(rules[1], f"{about}, after their {second} {what} of {day(later)}")
