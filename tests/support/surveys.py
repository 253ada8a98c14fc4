"""Surveys and evaluations recorded the way a coordinator (or the student) records them."""

from __future__ import annotations

from datetime import timedelta

from bridgework.domain.surveys import EvaluationPhase, SurveyPhase
from bridgework.services import surveys as su
from bridgework.services.directory import LaunchProgram, launch_program
from support.context import staff
from support.scenario import TODAY

PRE, POST = SurveyPhase.PRE, SurveyPhase.POST
MID, END = EvaluationPhase.MIDPOINT, EvaluationPhase.END
LAB, STEM, TEAM = "confidence_lab_techniques", "interest_stem_career", "teamwork"


def answers(**scores: int) -> list[su.Answer]:
    keys = {"lab": LAB, "stem": STEM, "team": TEAM}
    return [su.Answer(question=keys[k], score=v) for k, v in scores.items()]


async def survey(deps, program, kid, phase, *, days_ago=0, ctx=None, **scores):
    cmd = su.RecordSurvey(
        student_id=kid,
        program_id=program,
        phase=phase,
        answered_on=TODAY - timedelta(days=days_ago),
        answers=answers(**scores),
    )
    return await su.record_survey(deps, ctx or staff(), cmd)


async def evaluate(deps, program, kid, phase, *, days_ago=0, ctx=None, **scores):
    cmd = su.RecordEvaluation(
        student_id=kid,
        program_id=program,
        phase=phase,
        evaluator="Dr. Rosa Diaz",
        evaluated_on=TODAY - timedelta(days=days_ago),
        ratings=[su.Rating(competency=k, score=v) for k, v in scores.items()],
        comments=f"{phase} review",
    )
    return await su.record_evaluation(deps, ctx or staff(), cmd)


async def an_internship(deps, partnership):
    launched = await launch_program(
        deps,
        staff(),
        LaunchProgram(
            partnership_id=partnership,
            name="Biotech Internship",
            kind="internship",
            capacity=5,
            starts_on=TODAY - timedelta(days=1),
            ends_on=TODAY + timedelta(days=60),
        ),
    )
    return launched.id
