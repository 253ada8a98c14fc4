"""Surveys and evaluations through the handlers and into the `surveys` read model: deltas,
corrections, and refusals that change nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import uuid4

import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.domain.student import EvaluationPhase, SurveyPhase
from bridgework.projections import read
from bridgework.projections.positions import PositionWatcher
from bridgework.services import commands as c
from bridgework.services import handlers as h
from bridgework.services import surveys as su
from bridgework.services.context import Actor, CommandContext, Role
from bridgework.services.errors import Forbidden, InvalidInput, NotFound
from support.context import as_actor, coordinator
from support.scenario import TODAY, a_program, enrol, runner_for, students

PRE, POST = SurveyPhase.PRE, SurveyPhase.POST
MID, END = EvaluationPhase.MIDPOINT, EvaluationPhase.END
LAB, STEM, TEAM = "confidence_lab_techniques", "interest_stem_career", "teamwork"


def answers(**scores: int) -> list[su.Answer]:
    keys = {"lab": LAB, "stem": STEM, "team": TEAM}
    return [su.Answer(question=keys[k], score=v) for k, v in scores.items()]


async def survey(deps, program, kid, phase, *, days_ago=0, ctx=None, **scores):
    cmd = su.RecordSurvey(
        student_id=kid, program_id=program, phase=phase,
        answered_on=TODAY - timedelta(days=days_ago), answers=answers(**scores),
    )  # fmt: skip
    return await su.record_survey(deps, ctx or coordinator(), cmd)


async def evaluate(deps, program, kid, phase, *, days_ago=0, ctx=None, **scores):
    cmd = su.RecordEvaluation(
        student_id=kid, program_id=program, phase=phase, evaluator="Dr. Rosa Diaz",
        evaluated_on=TODAY - timedelta(days=days_ago),
        ratings=[su.Rating(competency=k, score=v) for k, v in scores.items()],
        comments=f"{phase} review",
    )  # fmt: skip
    return await su.record_evaluation(deps, ctx or coordinator(), cmd)


async def caught_up(runner, pool, deps) -> None:
    """Catch the runner up with everything written so far: the log is readable only behind
    the oldest open transaction on the server, which another test run may hold briefly."""
    head = await deps.store.head()
    watcher = PositionWatcher(pool, deps.store)
    for _ in range(500):
        await runner.catch_up()
        if await watcher.wait(head, 0, ["surveys"]):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the surveys projection did not reach position {head}")


async def an_internship(deps, partnership):
    launched = await h.launch_program(deps, coordinator(), c.LaunchProgram(
        partnership_id=partnership, name="Biotech Internship", kind="internship", capacity=5,
        starts_on=TODAY - timedelta(days=1), ends_on=TODAY + timedelta(days=60),
    ))  # fmt: skip
    return launched.id


async def test_survey_deltas_count_only_students_with_both_answers(deps, pool):
    program, _, _ = await a_program(deps, capacity=5)
    ana, bo, cy, di = await students(deps, 4)
    for kid in (ana, bo, cy, di):
        await enrol(deps, program, kid)
    await survey(deps, program, ana, PRE, lab=2, stem=3)
    await survey(deps, program, ana, POST, lab=4, stem=3)
    await survey(deps, program, bo, PRE, lab=3, stem=5)
    await survey(deps, program, bo, POST, lab=2, stem=4)
    await survey(deps, program, cy, PRE, lab=1, stem=1)  # no post yet: not a respondent
    await survey(deps, program, di, POST, lab=5, team=4)  # no pre: not a respondent either

    runner = runner_for(pool, deps)
    await runner.setup()
    await caught_up(runner, pool, deps)
    found = await read.survey_deltas_of_programs(pool, [program])
    deltas = {d.question: d for d in found[program]}
    assert list(deltas) == [LAB, STEM, TEAM]
    lab = deltas[LAB]
    assert (lab.respondents, lab.pre_mean, lab.post_mean) == (2, 2.5, 3.0)
    assert (lab.improved_share, lab.mean_change) == (0.5, 0.5)
    stem = deltas[STEM]
    assert (stem.respondents, stem.pre_mean, stem.post_mean, stem.improved_share) == (
        2, 4.0, 3.5, 0.0,
    )  # fmt: skip
    team = deltas[TEAM]
    assert (team.respondents, team.pre_mean, team.improved_share) == (0, None, None)

    whole = {d.question: d for d in await read.survey_deltas(pool, [program], None, None, None)}
    assert whole == {LAB: lab, STEM: stem}  # questions without pairs are left out
    later = TODAY + timedelta(days=1)
    assert await read.survey_deltas(pool, [program], None, later, None) == []
    assert len(await read.survey_deltas(pool, [program], None, TODAY, TODAY)) == 2
    assert await read.survey_deltas(pool, [uuid4()], None, None, None) == []
    only_ana = await read.survey_deltas(pool, [program], [ana], None, None)
    assert [(d.question, d.respondents, d.mean_change) for d in only_ana] == [
        (LAB, 1, 2.0), (STEM, 1, 0.0)
    ]  # fmt: skip

    mine = await read.surveys_of_students(pool, [ana, cy])
    assert [(s.question, s.pre, s.post, s.change) for s in mine[ana]] == [
        (LAB, 2, 4, 2), (STEM, 3, 3, 0),
    ]  # fmt: skip
    assert [(s.pre, s.post, s.change, s.pre_on, s.post_on) for s in mine[cy]] == [
        (1, None, None, TODAY, None), (1, None, None, TODAY, None),
    ]  # fmt: skip


async def test_a_later_survey_of_the_same_phase_replaces_the_earlier(deps, pool):
    program, _, _ = await a_program(deps, capacity=2)
    (ana,) = await students(deps, 1)
    await enrol(deps, program, ana)
    await survey(deps, program, ana, PRE, days_ago=0, lab=1, stem=2, team=3)
    runner = runner_for(pool, deps)
    await runner.setup()
    await caught_up(runner, pool, deps)
    await survey(deps, program, ana, PRE, days_ago=0, lab=2, stem=2)  # team dropped
    await survey(deps, program, ana, POST, days_ago=0, lab=5, stem=1)
    await survey(deps, program, ana, POST, days_ago=0, lab=4, stem=3)
    await caught_up(runner, pool, deps)
    mine = (await read.surveys_of_students(pool, [ana]))[ana]
    assert [(s.question, s.pre, s.post) for s in mine] == [(LAB, 2, 4), (STEM, 2, 3)]
    deltas = (await read.survey_deltas_of_programs(pool, [program]))[program]
    assert [(d.question, d.mean_change) for d in deltas] == [(LAB, 2.0), (STEM, 1.0)]


async def test_evaluations_are_kept_per_phase_and_a_correction_replaces(deps, pool):
    _, _, partnership = await a_program(deps, capacity=2)
    internship = await an_internship(deps, partnership)
    (ana,) = await students(deps, 1)
    await enrol(deps, internship, ana)
    await evaluate(deps, internship, ana, MID, days_ago=1, communication=3, safety=4)
    await evaluate(deps, internship, ana, END, days_ago=0, communication=4, safety=4)
    mentor = as_actor(Role.MENTOR)
    await evaluate(deps, internship, ana, END, days_ago=0, ctx=mentor, communication=5)

    runner = runner_for(pool, deps)
    await runner.setup()
    await caught_up(runner, pool, deps)
    found = (await read.evaluations_of_students(pool, [ana]))[ana]
    assert [(e.phase, e.evaluated_on) for e in found] == [
        ("midpoint", TODAY - timedelta(days=1)), ("end", TODAY),
    ]  # fmt: skip
    assert [(r.competency, r.score) for r in found[0].ratings] == [
        ("communication", 3), ("safety", 4),
    ]  # fmt: skip
    assert [(r.competency, r.score) for r in found[1].ratings] == [("communication", 5)]
    assert (found[1].evaluator, found[1].comments) == ("Dr. Rosa Diaz", "end review")


async def test_refusals_change_nothing(deps, store):
    club, _, partnership = await a_program(deps, capacity=3)
    internship = await an_internship(deps, partnership)
    ana, outsider = await students(deps, 2)
    await enrol(deps, club, ana)
    await enrol(deps, internship, ana)
    await survey(deps, club, ana, PRE, days_ago=0, lab=2)
    await evaluate(deps, internship, ana, MID, days_ago=0, communication=3)
    before = await store.head()

    with pytest.raises(NotFound) as missing:
        await survey(deps, club, uuid4(), PRE, lab=2)
    assert missing.value.field == "studentId"
    with pytest.raises(NotFound) as missing:
        await survey(deps, uuid4(), ana, PRE, lab=2)
    assert missing.value.field == "programId"
    with pytest.raises(RuleViolated) as refused:
        await survey(deps, club, outsider, PRE, lab=2)
    assert refused.value.rule == "NOT_IN_PROGRAM"
    with pytest.raises(RuleViolated) as refused:
        await evaluate(deps, club, ana, MID, communication=3)
    assert refused.value.rule == "NOT_AN_INTERNSHIP"
    assert "Robotics Club" in str(refused.value)
    with pytest.raises(RuleViolated) as refused:
        await evaluate(deps, internship, outsider, MID, communication=3)
    assert refused.value.rule == "NOT_IN_PROGRAM"
    with pytest.raises(RuleViolated) as refused:
        await survey(deps, club, ana, POST, days_ago=1, lab=3)
    assert refused.value.rule == "POST_BEFORE_PRE"
    with pytest.raises(RuleViolated) as refused:
        await evaluate(deps, internship, ana, END, days_ago=1, communication=3)
    assert refused.value.rule == "END_BEFORE_MIDPOINT"
    with pytest.raises(RuleViolated) as refused:
        await survey(deps, club, ana, POST, days_ago=-1, lab=3)
    assert refused.value.rule == "DATE_IN_FUTURE"
    with pytest.raises(RuleViolated) as refused:
        await evaluate(deps, internship, ana, END, days_ago=-1, communication=3)
    assert refused.value.rule == "DATE_IN_FUTURE"

    with pytest.raises(Forbidden):
        await survey(deps, club, ana, POST, ctx=as_actor(Role.MENTOR), lab=3)
    with pytest.raises(Forbidden):
        await survey(deps, club, ana, POST, ctx=as_actor(Role.STUDENT), lab=3)  # not Ana
    with pytest.raises(Forbidden):
        await evaluate(deps, internship, ana, END, ctx=as_actor(Role.STUDENT),
                       communication=3)  # fmt: skip
    with pytest.raises(Forbidden):
        await evaluate(deps, internship, ana, END,
                       ctx=as_actor(Role.PARTNER_LIAISON), communication=3)  # fmt: skip
    assert await store.head() == before


def test_answers_and_ratings_of_the_wrong_shape_are_refused_naming_the_field():
    ana, club, internship = uuid4(), uuid4(), uuid4()
    ids = {"student_id": str(ana), "program_id": str(club), "phase": "post",
           "answered_on": TODAY.isoformat()}  # fmt: skip
    for given, field in (
        ([{"question": LAB, "score": 0}], "answers[0].score"),
        ([{"question": LAB, "score": 6}], "answers[0].score"),
        ([{"question": LAB, "score": 3}, {"question": LAB, "score": 4}], "answers"),
        ([{"question": "Lab Confidence", "score": 3}], "answers[0].question"),
        ([], "answers"),
    ):
        with pytest.raises(InvalidInput) as bad:
            c.parse(su.RecordSurvey, ids | {"answers": given})
        assert bad.value.field == field
    with pytest.raises(InvalidInput) as bad:
        c.parse(su.RecordSurvey, ids | {"phase": "during", "answers": [{"question": LAB,
                                                                        "score": 3}]})  # fmt: skip
    assert bad.value.field == "phase"
    evaluation = {"student_id": str(ana), "program_id": str(internship), "phase": "end",
                  "evaluator": "Dr. Rosa Diaz", "evaluated_on": TODAY.isoformat()}  # fmt: skip
    for given, field in (
        ([{"competency": "communication", "score": 6}], "ratings[0].score"),
        ([{"competency": "x", "score": 2}, {"competency": "x", "score": 3}], "ratings"),
    ):
        with pytest.raises(InvalidInput) as bad:
            c.parse(su.RecordEvaluation, evaluation | {"ratings": given})
        assert bad.value.field == field
    with pytest.raises(InvalidInput) as bad:
        c.parse(su.RecordEvaluation, evaluation | {"evaluator": " ", "ratings": [
            {"competency": "x", "score": 2}]})  # fmt: skip
    assert bad.value.field == "evaluator"


async def test_a_student_answers_their_own_survey_after_completing(deps):
    program, _, _ = await a_program(deps, capacity=2)
    (ana,) = await students(deps, 1)
    await enrol(deps, program, ana)
    herself = CommandContext(
        actor=Actor(str(ana), Role.STUDENT), correlation_id=uuid4(), command_uuid=uuid4()
    )
    await survey(deps, program, ana, PRE, ctx=herself, lab=2)
    await h.complete_enrollment(
        deps, coordinator(), c.CompleteEnrollment(program_id=program, student_id=ana)
    )
    done = await survey(deps, program, ana, POST, lab=4)
    assert done.position > 0
