"""The impact report and the partnership metrics measured from hours, attendance and surveys:
exact numbers over a small world, breakdowns that never show fewer than five students."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from bridgework.domain.achievements import Pathway
from bridgework.domain.attendance import Attendance
from bridgework.domain.errors import RuleViolated
from bridgework.domain.surveys import SurveyPhase
from bridgework.projections import impact
from bridgework.projections.impact import suppress
from bridgework.projections.partnerships import charter
from bridgework.services import hours as hr
from bridgework.services import surveys as su
from bridgework.services.achievements import (
    RecordCredential,
    RecordPathway,
    record_credential,
    record_pathway,
)
from bridgework.services.attendance import (
    Mark,
    RecordAttendance,
    ScheduleSession,
    record_attendance,
    schedule_session,
)
from bridgework.services.command.base import parse
from bridgework.services.context import Role
from bridgework.services.directory import LaunchProgram, launch_program
from bridgework.services.enrolment import CompleteEnrollment, complete_enrollment
from bridgework.services.errors import Forbidden, InvalidInput
from bridgework.services.impact import ReportDemographics, report_demographics
from bridgework.services.partnerships.charter import DefineSuccessMetric, define_success_metric
from support.context import as_actor, as_person, staff
from support.hours import mailed_token
from support.scenario import TODAY, a_program, demographics, enrol, runner_for, students

LAB = "confidence_lab_techniques"


async def hours(deps, kid, program, amount, *, approve):
    logged = await hr.submit_hours(
        deps,
        staff(),
        hr.SubmitHours(
            student_id=kid,
            program_id=program,
            worked_on=TODAY,
            hours=Decimal(amount),
            activity="Build night",
            supervisor_name="Dana Ortiz",
            supervisor_email="d@ardent.example",
        ),
    )
    token = await mailed_token(deps, logged.id)
    await hr.verify_hours(
        deps,
        as_actor(Role.SUPERVISOR),
        hr.VerifyHours(token=token, supervisor_name="Dana Ortiz", verified=True),
    )
    if approve:
        await hr.approve_hours(deps, staff(), hr.ApproveHours(log_id=logged.id))


async def survey(deps, kid, program, phase, score):
    await su.record_survey(
        deps,
        staff(),
        su.RecordSurvey(
            student_id=kid,
            program_id=program,
            phase=phase,
            answered_on=TODAY,
            answers=[su.Answer(question=LAB, score=score)],
        ),
    )


async def metric(deps, partnership, measure, **extra):
    data = {
        "partnership_id": str(partnership),
        "name": measure,
        "measure": measure,
        "target": "80",
    } | extra
    await define_success_metric(deps, staff(), parse(DefineSuccessMetric, data))


async def a_world(deps):
    """Seven club students (five also interns), with hours, attendance, a survey pair, a
    credential, a job offer, two completions and self-reported demographics."""
    club, _, partnership = await a_program(deps, capacity=10)
    internship = (
        await launch_program(
            deps,
            staff(),
            LaunchProgram(
                partnership_id=partnership,
                name="Lab Internship",
                kind="internship",
                capacity=10,
                starts_on=TODAY,
                ends_on=TODAY + timedelta(days=30),
            ),
        )
    ).id
    kids = await students(deps, 7)
    for kid in kids:
        await enrol(deps, club, kid)
    for kid in kids[:5]:
        await enrol(deps, internship, kid)
    session = (
        await schedule_session(
            deps, staff(), ScheduleSession(program_id=club, held_on=TODAY, title="Night 1")
        )
    ).id
    await record_attendance(
        deps,
        staff(),
        RecordAttendance(
            program_id=club,
            session_id=session,
            marks=[
                Mark(student_id=k, status=Attendance.PRESENT if i < 5 else Attendance.UNEXCUSED)
                for i, k in enumerate(kids)
            ],
        ),
    )
    await hours(deps, kids[0], internship, "3", approve=True)
    await hours(deps, kids[1], internship, "2", approve=False)
    await survey(deps, kids[0], internship, SurveyPhase.PRE, 2)
    await survey(deps, kids[0], internship, SurveyPhase.POST, 4)
    await record_credential(
        deps,
        staff(),
        RecordCredential(
            student_id=kids[0],
            program_id=club,
            name="OSHA 10",
            issuer="OSHA",
            earned_on=TODAY,
        ),
    )
    await record_pathway(
        deps,
        staff(),
        RecordPathway(
            student_id=kids[0],
            program_id=internship,
            pathway=Pathway.JOB_OFFER,
            on=TODAY,
        ),
    )
    for kid in kids[:2]:
        await complete_enrollment(
            deps, staff(), CompleteEnrollment(program_id=club, student_id=kid)
        )
    for i, kid in enumerate(kids):
        gender = "Female" if i < 5 else "male"  # told in any case; grouped without it
        if i < 6:  # the last student reports nothing
            await demographics(deps, kid, gender=gender, first_generation="no" if i == 0 else "yes")
    return partnership, club, internship, kids


async def test_the_impact_report_counts_exactly_and_hides_small_groups(deps, pool):
    partnership, club, internship, _ = await a_world(deps)
    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()

    report = await impact.impact_report(pool, partnership, TODAY, TODAY + timedelta(days=7))
    assert report.program_ids == [club, internship]
    t = report.totals
    assert (t.students, t.seats, t.completions, t.completion_rate) == (7, 12, 2, 2 / 12)
    assert (t.hours_verified, t.hours_approved) == (Decimal(5), Decimal(3))
    assert (t.attendance_rate, t.credentials, t.placements) == (5 / 7, 1, 1)
    assert t.pathways == {"job_offer": 1}
    ((lab,),) = [t.surveys]
    assert (lab.question, lab.respondents, lab.improved_share) == (LAB, 1, 1.0)

    kinds, gender, first_generation = report.breakdowns
    assert kinds.by == "program_kind"
    assert [(g.label, g.numbers and g.numbers.students) for g in kinds.groups] == [
        ("club", 7),
        ("internship", 5),
    ]
    assert gender.by == "gender"
    assert [(g.label, g.numbers and g.numbers.students) for g in gender.groups] == [
        ("female", 5),
        ("male", None),
        ("not reported", None),
    ]
    assert [(g.label, g.numbers and g.numbers.students) for g in first_generation.groups] == [
        ("no", None),
        ("not reported", None),
        ("yes", 5),
    ]

    before = await impact.impact_report(
        pool, partnership, TODAY - timedelta(days=30), TODAY - timedelta(days=1)
    )
    assert before.program_ids == []
    assert (before.totals.students, before.totals.surveys) == (0, [])
    assert (await impact.impact_report(pool, uuid4(), TODAY, TODAY)).program_ids == []


def test_a_lone_small_group_takes_the_next_smallest_with_it():
    a, b, c_ = [uuid4() for _ in range(5)], [uuid4() for _ in range(6)], [uuid4()]
    assert suppress({"a": a, "b": b}) == set()
    assert suppress({"a": a, "b": b, "c": c_}) == {"c", "a"}
    assert suppress({"a": a, "c": c_, "d": [uuid4()]}) == {"c", "d"}
    assert suppress({"c": c_}) == {"c"}


async def test_metrics_measure_hours_attendance_and_survey_improvement(deps, pool):
    partnership, *_ = await a_world(deps)
    for measure in ("hours_verified", "hours_approved", "attendance_rate", "survey_improved"):
        await metric(deps, partnership, measure)
    await metric(deps, partnership, "survey_improved", question="teamwork")
    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()
    found = (await charter.success_metrics(pool, [partnership]))[partnership]
    assert [(m.measure, m.question, m.current) for m in found] == [
        ("hours_verified", None, Decimal("5.00")),
        ("hours_approved", None, Decimal("3.00")),
        ("attendance_rate", None, Decimal("71.4")),
        ("survey_improved", None, Decimal("100.0")),
        ("survey_improved", "teamwork", Decimal("0.0")),
    ]


async def test_bad_metrics_and_demographics_are_refused_naming_the_field(deps, store):
    _, _, partnership = await a_program(deps, capacity=2)
    (kid,) = await students(deps, 1)
    before = await store.head()
    bad = [
        (
            DefineSuccessMetric,
            {
                "partnership_id": str(partnership),
                "name": "x",
                "measure": "enrolments",
                "target": "5",
                "question": "lab",
            },
            "question",
        ),
        (
            DefineSuccessMetric,
            {
                "partnership_id": str(partnership),
                "name": "x",
                "measure": "survey_improved",
                "target": "5",
                "question": "Not A Key",
            },
            "question",
        ),
        (
            ReportDemographics,
            {
                "student_id": str(kid),
                "answers": [{"field": "gender", "value": "f"}, {"field": "gender", "value": "m"}],
            },
            "answers",
        ),
        (
            ReportDemographics,
            {"student_id": str(kid), "answers": [{"field": "shoe_size", "value": "9"}]},
            "answers[0].field",
        ),
        (
            ReportDemographics,
            {"student_id": str(kid), "answers": [{"field": "gender", "value": "x" * 101}]},
            "answers[0].value",
        ),
    ]
    for command, data, field in bad:
        with pytest.raises(InvalidInput) as refused:
            parse(command, data)
        assert refused.value.field == field
    with pytest.raises(Forbidden):
        await report_demographics(
            deps, as_person(Role.STUDENT, uuid4()), ReportDemographics(student_id=kid, answers=[])
        )
    with pytest.raises(RuleViolated) as refused:
        await metric(deps, partnership, "attendance_rate", target="120")
    assert refused.value.rule == "TARGET_OUT_OF_RANGE"
    assert "ATTENDANCE_RATE is a percentage, at most 100%" in refused.value.message
    assert await store.head() == before
