"""The demo's surveys: the biotech interns answer before and after their internship (most grew
more confident at the bench, one did not, one has not answered the post survey yet), and their
Helix supervisor evaluates one of them at the midpoint and at the end."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bridgework.domain.surveys import EvaluationPhase, SurveyPhase
from bridgework.services import surveys as su
from bridgework.services.context import Actor, Role

if TYPE_CHECKING:
    from uuid import UUID

    from bridgework.infra.demo.script import Script, World

QUESTIONS = ("confidence_lab_techniques", "interest_stem_career", "knows_a_scientist")


async def surveys_chapter(s: Script, w: World) -> None:
    east, biotech = w.students["eastside"], w.programs["biotech"]
    scores = [
        # (student, pre scores, post scores or None while the post survey is outstanding)
        (east[6], (2, 3, 1), (4, 4, 5)),
        (east[7], (1, 4, 2), (3, 5, 4)),
        (east[8], (3, 2, 1), (4, 2, 4)),
        (east[9], (4, 4, 3), (3, 4, 4)),
        (east[10], (2, 3, 1), None),
    ]
    for student, pre, post in scores:
        # The first intern fills the survey in herself; the rest are typed in from paper.
        actor = Actor(str(student), Role.STUDENT, person=student) if student == east[6] else None
        await _survey(
            s, student, biotech, phase=SurveyPhase.PRE, days_ago=70, scores=pre, actor=actor
        )
        if post is not None:
            await _survey(
                s, student, biotech, phase=SurveyPhase.POST, days_ago=3, scores=post, actor=actor
            )

    supervisor = w.mentors["helix"][0]
    for phase, days_ago, ratings, comments in (
        (
            EvaluationPhase.MIDPOINT,
            35,
            (3, 3, 4, 2),
            "Careful at the bench; still shy about asking questions in lab meetings.",
        ),
        (
            EvaluationPhase.END,
            4,
            (4, 5, 5, 4),
            "Ran her own PCR by week eight and presented the poster with confidence.",
        ),
    ):
        await s.run(
            su.RecordEvaluation(
                student_id=east[6],
                program_id=biotech,
                phase=phase,
                evaluator="Dr. Amina Yusuf",
                evaluated_on=s.today - timedelta(days=days_ago),
                ratings=[
                    su.Rating(competency=c, score=r)
                    for c, r in zip(
                        ("communication", "lab_safety", "reliability", "initiative"),
                        ratings,
                        strict=True,
                    )
                ],
                comments=comments,
            ),
            actor=Actor(str(supervisor), Role.MENTOR, person=supervisor),
        )


async def _survey(
    s: Script,
    student: UUID,
    program: UUID,
    *,
    phase: SurveyPhase,
    days_ago: int,
    scores: tuple[int, ...],
    actor: Actor | None,
) -> None:
    answers = [su.Answer(question=q, score=n) for q, n in zip(QUESTIONS, scores, strict=True)]
    await s.run(
        su.RecordSurvey(
            student_id=student,
            program_id=program,
            phase=phase,
            answered_on=s.today - timedelta(days=days_ago),
            answers=answers,
        ),
        actor=actor,
    )
