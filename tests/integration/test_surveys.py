"""Surveys and evaluations through the handlers and into the `surveys` read model: deltas,
corrections, and refusals that change nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import uuid4

from bridgework.projections.positions import PositionWatcher
from bridgework.projections.surveys import (
    evaluations_of_students,
    survey_deltas,
    survey_deltas_of_programs,
    surveys_of_students,
)
from bridgework.services.context import Role
from support.context import as_actor
from support.scenario import TODAY, a_program, enrol, runner_for, students
from support.surveys import (
    END,
    LAB,
    MID,
    POST,
    PRE,
    STEM,
    TEAM,
    an_internship,
    evaluate,
    survey,
)


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
    found = await survey_deltas_of_programs(pool, [program])
    deltas = {d.question: d for d in found[program]}
    assert list(deltas) == [LAB, STEM, TEAM]
    lab = deltas[LAB]
    assert (lab.respondents, lab.pre_mean, lab.post_mean) == (2, 2.5, 3.0)
    assert (lab.improved_share, lab.mean_change) == (0.5, 0.5)
    stem = deltas[STEM]
    assert (stem.respondents, stem.pre_mean, stem.post_mean, stem.improved_share) == (
        2,
        4.0,
        3.5,
        0.0,
    )
    team = deltas[TEAM]
    assert (team.respondents, team.pre_mean, team.improved_share) == (0, None, None)

    whole = {d.question: d for d in await survey_deltas(pool, [program], None, None, None)}
    assert whole == {LAB: lab, STEM: stem}  # questions without pairs are left out
    later = TODAY + timedelta(days=1)
    assert await survey_deltas(pool, [program], None, later, None) == []
    assert len(await survey_deltas(pool, [program], None, TODAY, TODAY)) == 2
    assert await survey_deltas(pool, [uuid4()], None, None, None) == []
    only_ana = await survey_deltas(pool, [program], [ana], None, None)
    assert [(d.question, d.respondents, d.mean_change) for d in only_ana] == [
        (LAB, 1, 2.0),
        (STEM, 1, 0.0),
    ]

    mine = await surveys_of_students(pool, [ana, cy])
    assert [(s.question, s.pre, s.post, s.change) for s in mine[ana]] == [
        (LAB, 2, 4, 2),
        (STEM, 3, 3, 0),
    ]
    assert [(s.pre, s.post, s.change, s.pre_on, s.post_on) for s in mine[cy]] == [
        (1, None, None, TODAY, None),
        (1, None, None, TODAY, None),
    ]


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
    mine = (await surveys_of_students(pool, [ana]))[ana]
    assert [(s.question, s.pre, s.post) for s in mine] == [(LAB, 2, 4), (STEM, 2, 3)]
    deltas = (await survey_deltas_of_programs(pool, [program]))[program]
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
    found = (await evaluations_of_students(pool, [ana]))[ana]
    assert [(e.phase, e.evaluated_on) for e in found] == [
        ("midpoint", TODAY - timedelta(days=1)),
        ("end", TODAY),
    ]
    assert [(r.competency, r.score) for r in found[0].ratings] == [
        ("communication", 3),
        ("safety", 4),
    ]
    assert [(r.competency, r.score) for r in found[1].ratings] == [("communication", 5)]
    assert (found[1].evaluator, found[1].comments) == ("Dr. Rosa Diaz", "end review")
