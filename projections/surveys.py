"""`surveys`: students' pre and post survey answers and supervisors' evaluations of interns,
the ones in force (a later answer of the same phase replaces the earlier), and what changed
between pre and post per question."""

from __future__ import annotations

from datetime import date
from operator import itemgetter
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from bridgework.domain.student import Student
from bridgework.projections.batch import InOrder
from bridgework.projections.db import grouped
from bridgework.projections.measures import ANSWER_PAIRS, IMPROVED, PAIRS
from bridgework.projections.scrub import scrub

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.projections.db import Connection, Executor
    from bridgework.services.ports import StoredEvent


class SurveyDelta(msgspec.Struct, frozen=True, kw_only=True):
    """Pre and post answers to one survey question, over students who answered both."""

    question: str
    respondents: int
    pre_mean: float | None
    post_mean: float | None
    improved_share: float | None
    """Share of respondents whose post answer is higher than their pre answer."""
    mean_change: float | None = None
    """Mean of post minus pre over the respondents."""


class StudentSurveyView(msgspec.Struct, frozen=True, kw_only=True):
    """A student's pre and post answers to one question of a program's survey."""

    student_id: UUID
    program_id: UUID
    question: str
    pre: int | None
    post: int | None
    change: int | None
    """Post minus pre; None unless both were answered."""
    pre_on: date | None
    post_on: date | None


class RatingView(msgspec.Struct, frozen=True, kw_only=True):
    competency: str
    score: int


class EvaluationView(msgspec.Struct, frozen=True, kw_only=True):
    """A supervisor's evaluation of an intern: the one in force for its phase."""

    id: UUID
    student_id: UUID
    program_id: UUID
    phase: str
    evaluator: str
    evaluated_on: date
    comments: str
    ratings: list[RatingView]


SCHEMA = """
CREATE TABLE IF NOT EXISTS survey_answers (
    program_id uuid NOT NULL, student_id uuid NOT NULL,
    phase text NOT NULL CHECK (phase IN ('pre', 'post')), question text NOT NULL,
    score smallint NOT NULL CHECK (score BETWEEN 1 AND 5), answered_on date NOT NULL,
    PRIMARY KEY (program_id, student_id, phase, question)
);
CREATE INDEX IF NOT EXISTS survey_answers_by_student ON survey_answers (student_id);
CREATE TABLE IF NOT EXISTS survey_evaluations (
    program_id uuid NOT NULL, student_id uuid NOT NULL,
    phase text NOT NULL CHECK (phase IN ('midpoint', 'end')), competency text NOT NULL,
    score smallint NOT NULL CHECK (score BETWEEN 1 AND 5), evaluation_id uuid NOT NULL,
    evaluator text NOT NULL, evaluated_on date NOT NULL, comments text NOT NULL,
    PRIMARY KEY (program_id, student_id, phase, competency)
);
CREATE INDEX IF NOT EXISTS survey_evaluations_by_student ON survey_evaluations (student_id);
"""

_FORGET_ANSWERS = (
    "DELETE FROM survey_answers WHERE program_id = $1 AND student_id = $2 AND phase = $3"
)
_ANSWER = """INSERT INTO survey_answers VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (program_id, student_id, phase, question)
DO UPDATE SET score = excluded.score, answered_on = excluded.answered_on"""
_FORGET_RATINGS = (
    "DELETE FROM survey_evaluations WHERE program_id = $1 AND student_id = $2 AND phase = $3"
)
_RATING = """INSERT INTO survey_evaluations VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (program_id, student_id, phase, competency)
DO UPDATE SET score = excluded.score, evaluation_id = excluded.evaluation_id,
    evaluator = excluded.evaluator, evaluated_on = excluded.evaluated_on,
    comments = excluded.comments"""


class Surveys:
    name = "surveys"
    version = 1
    schema = SCHEMA
    tables = ("survey_answers", "survey_evaluations")
    erases = (scrub("survey_evaluations", "evaluator", "comments"),)
    handles = frozenset({"SurveyAnswered", "EvaluationRecorded"})

    async def apply_batch(
        self, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
    ) -> None:
        # A correction replaces the whole survey (it may leave a question out), so the old
        # rows go first, in event order.
        writes = InOrder()
        for event, e in events:
            match e:
                case Student.SurveyAnswered():
                    key = (e.program_id, e.originator_id, str(e.phase))
                    writes.add(_FORGET_ANSWERS, *key)
                    for question, score in e.answers:
                        writes.add(_ANSWER, *key, question, score, e.answered_on)
                case Student.EvaluationRecorded():
                    key = (e.program_id, e.originator_id, str(e.phase))
                    writes.add(_FORGET_RATINGS, *key)
                    for competency, score in e.ratings:
                        writes.add(
                            _RATING,
                            *key,
                            competency,
                            score,
                            e.evaluation_id,
                            e.evaluator,
                            e.evaluated_on,
                            e.comments,
                        )
                case _:
                    raise TypeError(f"surveys does not handle {event.event_type}")
        await writes.flush(conn)


PROJECTIONS = (Surveys,)
"""This area's read models."""


def _delta(r: Any) -> SurveyDelta:
    return SurveyDelta(**{field: r[field] for field in SurveyDelta.__struct_fields__})


# Over answer pairs: one student's pre and post to one question in one program; the means
# are over pairs with both, so a student who skipped the post survey does not skew them.
_DELTA_COLUMNS = f"""
    question,
    {PAIRS} AS respondents,
    (avg(pre) FILTER (WHERE post IS NOT NULL))::float8 AS pre_mean,
    (avg(post) FILTER (WHERE pre IS NOT NULL))::float8 AS post_mean,
    {IMPROVED}::float8 / nullif({PAIRS}, 0) AS improved_share,
    (avg(post - pre))::float8 AS mean_change
"""
_PROGRAM_PAIRS = ANSWER_PAIRS.format(where="program_id = ANY($1::uuid[])", having="")
_PERIOD_PAIRS = ANSWER_PAIRS.format(
    where="program_id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR student_id = ANY($2::uuid[]))",
    having="""HAVING bool_or(phase = 'post' AND ($3::date IS NULL OR answered_on >= $3)
                     AND ($4::date IS NULL OR answered_on <= $4))""",
)


async def survey_deltas_of_programs(
    conn: Executor, program_ids: Sequence[UUID]
) -> dict[UUID, list[SurveyDelta]]:
    """Per program, every question asked in its surveys (by key), with the pre and post
    means over the students who answered both; a question no one has yet answered both
    times has 0 respondents and no means."""
    rows = await conn.fetch(
        f"""
        SELECT program_id, {_DELTA_COLUMNS}
        FROM ({_PROGRAM_PAIRS}) pairs
        GROUP BY program_id, question ORDER BY program_id, question
        """,  # noqa: S608 - a constant, no input
        list(program_ids),
    )
    by_program = grouped(rows, itemgetter("program_id"))
    return {program: [_delta(r) for r in found] for program, found in by_program.items()}


async def survey_deltas(
    conn: Executor,
    program_ids: Sequence[UUID],
    student_ids: Sequence[UUID] | None,
    starts_on: date | None,
    ends_on: date | None,
) -> list[SurveyDelta]:
    """Over some programs (and some of their students, or all), per question, the answer
    pairs whose post survey was answered within the period (either end may be open, both
    inclusive). A student surveyed in two of the programs counts once per program.
    Questions without a pair in the period are left out."""
    rows = await conn.fetch(
        f"""
        SELECT {_DELTA_COLUMNS}
        FROM ({_PERIOD_PAIRS}) pairs
        GROUP BY question HAVING {PAIRS} > 0 ORDER BY question
        """,  # noqa: S608 - a constant, no input
        list(program_ids),
        None if student_ids is None else list(student_ids),
        starts_on,
        ends_on,
    )
    return [_delta(r) for r in rows]


async def surveys_of_students(
    conn: Executor, student_ids: Sequence[UUID]
) -> dict[UUID, list[StudentSurveyView]]:
    """Per student, by program and question, their pre and post answers and the change."""
    rows = await conn.fetch(
        """
        SELECT student_id, program_id, question,
               max(score) FILTER (WHERE phase = 'pre') AS pre,
               max(score) FILTER (WHERE phase = 'post') AS post,
               max(answered_on) FILTER (WHERE phase = 'pre') AS pre_on,
               max(answered_on) FILTER (WHERE phase = 'post') AS post_on
        FROM survey_answers WHERE student_id = ANY($1::uuid[])
        GROUP BY student_id, program_id, question ORDER BY student_id, program_id, question
        """,
        list(student_ids),
    )
    return grouped((_survey(r) for r in rows), "student_id")


def _survey(r: Any) -> StudentSurveyView:
    pre, post = r["pre"], r["post"]
    return StudentSurveyView(
        student_id=r["student_id"],
        program_id=r["program_id"],
        question=r["question"],
        pre=pre,
        post=post,
        change=None if pre is None or post is None else post - pre,
        pre_on=r["pre_on"],
        post_on=r["post_on"],
    )


async def evaluations_of_students(
    conn: Executor, student_ids: Sequence[UUID]
) -> dict[UUID, list[EvaluationView]]:
    """Per student, the evaluations in force, by program, midpoint before end."""
    rows = await conn.fetch(
        """
        SELECT student_id, program_id, phase, evaluation_id, evaluator, evaluated_on,
               comments, array_agg(competency ORDER BY competency) AS competencies,
               array_agg(score ORDER BY competency) AS scores
        FROM survey_evaluations WHERE student_id = ANY($1::uuid[])
        GROUP BY student_id, program_id, phase, evaluation_id, evaluator, evaluated_on,
                 comments
        ORDER BY student_id, program_id, phase = 'end', evaluated_on
        """,
        list(student_ids),
    )
    return grouped(
        (
            EvaluationView(
                id=r["evaluation_id"],
                student_id=r["student_id"],
                program_id=r["program_id"],
                phase=r["phase"],
                evaluator=r["evaluator"],
                evaluated_on=r["evaluated_on"],
                comments=r["comments"],
                ratings=[
                    RatingView(competency=c, score=s)
                    for c, s in zip(r["competencies"], r["scores"], strict=True)
                ],
            )
            for r in rows
        ),
        "student_id",
    )
