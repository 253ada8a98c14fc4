"""Surveys and evaluations through the handlers, on the memory store: refusals change
nothing, and answers of the wrong shape name their field. Deltas in the views are in
`tests/integration/test_surveys.py`."""

from __future__ import annotations

from uuid import uuid4

import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.services import surveys as su
from bridgework.services.command.base import parse
from bridgework.services.context import Actor, CommandContext, Role
from bridgework.services.enrolment import CompleteEnrollment, complete_enrollment
from bridgework.services.errors import Forbidden, InvalidInput, NotFound
from support.context import as_actor, staff
from support.scenario import TODAY, a_program, enrol, students
from support.surveys import END, LAB, MID, POST, PRE, an_internship, evaluate, survey


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
        await evaluate(deps, internship, ana, END, ctx=as_actor(Role.STUDENT), communication=3)
    with pytest.raises(Forbidden):
        await evaluate(
            deps, internship, ana, END, ctx=as_actor(Role.PARTNER_LIAISON), communication=3
        )
    assert await store.head() == before


def test_answers_and_ratings_of_the_wrong_shape_are_refused_naming_the_field():
    ana, club, internship = uuid4(), uuid4(), uuid4()
    ids = {
        "student_id": str(ana),
        "program_id": str(club),
        "phase": "post",
        "answered_on": TODAY.isoformat(),
    }
    for given, field in (
        ([{"question": LAB, "score": 0}], "answers[0].score"),
        ([{"question": LAB, "score": 6}], "answers[0].score"),
        ([{"question": LAB, "score": 3}, {"question": LAB, "score": 4}], "answers"),
        ([{"question": "Lab Confidence", "score": 3}], "answers[0].question"),
        ([], "answers"),
    ):
        with pytest.raises(InvalidInput) as bad:
            parse(su.RecordSurvey, ids | {"answers": given})
        assert bad.value.field == field
    with pytest.raises(InvalidInput) as bad:
        parse(
            su.RecordSurvey, ids | {"phase": "during", "answers": [{"question": LAB, "score": 3}]}
        )
    assert bad.value.field == "phase"
    evaluation = {
        "student_id": str(ana),
        "program_id": str(internship),
        "phase": "end",
        "evaluator": "Dr. Rosa Diaz",
        "evaluated_on": TODAY.isoformat(),
    }
    for given, field in (
        ([{"competency": "communication", "score": 6}], "ratings[0].score"),
        ([{"competency": "x", "score": 2}, {"competency": "x", "score": 3}], "ratings"),
    ):
        with pytest.raises(InvalidInput) as bad:
            parse(su.RecordEvaluation, evaluation | {"ratings": given})
        assert bad.value.field == field
    with pytest.raises(InvalidInput) as bad:
        parse(
            su.RecordEvaluation,
            evaluation | {"evaluator": " ", "ratings": [{"competency": "x", "score": 2}]},
        )
    assert bad.value.field == "evaluator"


async def test_a_student_answers_their_own_survey_after_completing(deps):
    program, _, _ = await a_program(deps, capacity=2)
    (ana,) = await students(deps, 1)
    await enrol(deps, program, ana)
    herself = CommandContext(
        actor=Actor(str(ana), Role.STUDENT, person=ana),
        correlation_id=uuid4(),
        command_uuid=uuid4(),
    )
    await survey(deps, program, ana, PRE, ctx=herself, lab=2)
    await complete_enrollment(deps, staff(), CompleteEnrollment(program_id=program, student_id=ana))
    done = await survey(deps, program, ana, POST, lab=4)
    assert done.position > 0
