"""Surveys and evaluations on the Student aggregate: dates in order, corrections, no future."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import msgspec
import pytest
from bridgework.domain.base import replay
from bridgework.domain.errors import RuleViolated
from bridgework.domain.student import Student
from bridgework.domain.surveys import EvaluationPhase, SurveyPhase
from bridgework.infra.transcoding import Transcoder
from bridgework.services.ports import EventMetadata, StoredEvent
from support.given import AT

PROGRAM = uuid4()
TODAY = AT.date()
ANSWERS = (("confidence_lab_techniques", 2), ("interest_stem_career", 4))


def a_student() -> Student:
    student = Student.register(id=uuid4(), name="Ana Lima", grade=10, school_id=None, at=AT)
    student.collect_events()
    return student


def survey(student: Student, phase: SurveyPhase, on: date, answers=ANSWERS) -> None:
    student.answer_survey(
        survey_id=uuid4(),
        program_id=PROGRAM,
        program_name="Biotech Internship",
        phase=phase,
        answered_on=on,
        answers=answers,
        at=AT,
    )


def evaluation(student: Student, phase: EvaluationPhase, on: date) -> None:
    student.evaluate(
        evaluation_id=uuid4(),
        program_id=PROGRAM,
        program_name="Biotech Internship",
        phase=phase,
        evaluator="Dr. Rosa Diaz",
        evaluated_on=on,
        ratings=(("communication", 4), ("lab_safety", 5)),
        comments="Careful and curious.",
        at=AT,
    )


def test_a_pre_and_a_post_survey_are_recorded_with_their_answers():
    student = a_student()
    survey(student, SurveyPhase.PRE, TODAY - timedelta(days=30))
    survey(student, SurveyPhase.POST, TODAY, (("confidence_lab_techniques", 4),))
    events = student.collect_events()
    assert [type(e).__name__ for e in events] == ["SurveyAnswered", "SurveyAnswered"]
    assert events[0].answers == ANSWERS
    assert (events[1].phase, events[1].program_id) == (SurveyPhase.POST, PROGRAM)


def test_a_post_survey_dated_before_the_pre_survey_is_refused():
    student = a_student()
    survey(student, SurveyPhase.PRE, TODAY - timedelta(days=10))
    with pytest.raises(RuleViolated) as refused:
        survey(student, SurveyPhase.POST, TODAY - timedelta(days=11))
    assert refused.value.rule == "POST_BEFORE_PRE"
    assert "Ana Lima" in str(refused.value)
    assert "Biotech Internship" in str(refused.value)


def test_a_pre_survey_dated_after_the_post_survey_is_refused():
    student = a_student()
    survey(student, SurveyPhase.POST, TODAY - timedelta(days=5))
    with pytest.raises(RuleViolated) as refused:
        survey(student, SurveyPhase.PRE, TODAY - timedelta(days=4))
    assert refused.value.rule == "PRE_AFTER_POST"


def test_a_correction_is_checked_against_the_dates_in_force():
    student = a_student()
    survey(student, SurveyPhase.PRE, TODAY - timedelta(days=20))
    survey(student, SurveyPhase.PRE, TODAY - timedelta(days=2))  # corrected to a later date
    with pytest.raises(RuleViolated) as refused:
        survey(student, SurveyPhase.POST, TODAY - timedelta(days=3))
    assert refused.value.rule == "POST_BEFORE_PRE"
    survey(student, SurveyPhase.POST, TODAY - timedelta(days=2))  # the same day is fine


def test_surveys_of_other_programs_do_not_constrain_each_other():
    student = a_student()
    survey(student, SurveyPhase.PRE, TODAY)
    student.answer_survey(
        survey_id=uuid4(),
        program_id=uuid4(),
        program_name="Robotics Club",
        phase=SurveyPhase.POST,
        answered_on=TODAY - timedelta(days=40),
        answers=ANSWERS,
        at=AT,
    )
    assert len(student.collect_events()) == 2


def test_a_survey_dated_in_the_future_is_refused():
    student = a_student()
    with pytest.raises(RuleViolated) as refused:
        survey(student, SurveyPhase.PRE, TODAY + timedelta(days=1))
    assert refused.value.rule == "DATE_IN_FUTURE"
    assert student.collect_events() == []


def test_an_end_evaluation_dated_before_the_midpoint_is_refused():
    student = a_student()
    evaluation(student, EvaluationPhase.MIDPOINT, TODAY - timedelta(days=10))
    with pytest.raises(RuleViolated) as refused:
        evaluation(student, EvaluationPhase.END, TODAY - timedelta(days=11))
    assert refused.value.rule == "END_BEFORE_MIDPOINT"
    evaluation(student, EvaluationPhase.END, TODAY)
    with pytest.raises(RuleViolated) as refused:
        evaluation(student, EvaluationPhase.MIDPOINT, TODAY - timedelta(days=-1))
    assert refused.value.rule == "DATE_IN_FUTURE"


def test_a_midpoint_evaluation_dated_after_the_end_one_is_refused():
    student = a_student()
    evaluation(student, EvaluationPhase.END, TODAY - timedelta(days=10))
    with pytest.raises(RuleViolated) as refused:
        evaluation(student, EvaluationPhase.MIDPOINT, TODAY - timedelta(days=9))
    assert refused.value.rule == "END_BEFORE_MIDPOINT"


def test_survey_and_evaluation_events_survive_the_store_and_replay_with_their_dates():
    codec = Transcoder()
    student = Student.register(id=uuid4(), name="Ana Lima", grade=10, school_id=None, at=AT)
    survey(student, SurveyPhase.PRE, TODAY - timedelta(days=3))
    evaluation(student, EvaluationPhase.MIDPOINT, TODAY - timedelta(days=3))
    metadata = EventMetadata(
        actor="coordinator:ana",
        correlation_id=uuid4(),
        causation_id=uuid4(),
        command_id="k",
        command="X",
    )
    decoded = []
    for position, e in enumerate(student.collect_events(), start=1):
        new = codec.encode(e, event_id=uuid4(), metadata=metadata)
        fields = {f: getattr(new, f) for f in new.__struct_fields__ if f != "metadata"}
        decoded.append(
            codec.decode(
                StoredEvent(
                    position=position,
                    tx_id=1,
                    recorded_at=AT,
                    metadata_json=msgspec.json.encode(metadata),
                    **fields,
                )
            )
        )
    assert decoded[1].answers == ANSWERS
    assert decoded[1].phase is SurveyPhase.PRE
    assert decoded[2].ratings == (("communication", 4), ("lab_safety", 5))
    again = replay(decoded)
    assert isinstance(again, Student)
    with pytest.raises(RuleViolated) as refused:
        survey(again, SurveyPhase.POST, TODAY - timedelta(days=4))
    assert refused.value.rule == "POST_BEFORE_PRE"
    with pytest.raises(RuleViolated) as refused:
        evaluation(again, EvaluationPhase.END, TODAY - timedelta(days=4))
    assert refused.value.rule == "END_BEFORE_MIDPOINT"
