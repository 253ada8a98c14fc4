"""Guardians' consent and programs' eligibility rules, through the handlers: a refusal
names its rule and appends nothing; withdrawing consent frees the seat for the next in line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.projections import read
from bridgework.services import commands as c
from bridgework.services import handlers as h
from bridgework.services import students as st
from bridgework.services.errors import InvalidInput, NotFound
from support.context import coordinator
from support.scenario import TODAY, a_program, enrol, runner_for


async def a_student(deps, name, *, years: int | None, grade: int | None = 10):
    born = None if years is None else TODAY - timedelta(days=365 * years + 40)
    cmd = c.RegisterStudent(name=name, grade=grade, date_of_birth=born)
    return (await h.register_student(deps, coordinator(), cmd)).id


async def consent(deps, student, program=None):
    cmd = st.RecordGuardianConsent(
        student_id=student, program_id=program, guardian_name="Rosa Lima",
        relationship="mother", given_on=TODAY,
    )  # fmt: skip
    return (await st.record_guardian_consent(deps, coordinator(), cmd)).id


async def test_a_minor_needs_a_consent_and_withdrawing_it_frees_the_seat(deps, pool, store):
    program, _, _ = await a_program(deps, capacity=1)
    ana = await a_student(deps, "Ana Lima", years=14)
    unknown = await a_student(deps, "Bo Chen", years=None)
    adult = await a_student(deps, "Cy Park", years=19)
    before = await store.head()
    for kid, says in ((ana, "Ana Lima is under 18"), (unknown, "no date of birth on record")):
        with pytest.raises(RuleViolated, match=says) as refused:
            await enrol(deps, program, kid)
        assert refused.value.rule == "CONSENT_MISSING"
    assert await store.head() == before

    other, _, _ = await a_program(deps, capacity=1)
    await consent(deps, ana, program=other)  # covers another program only
    with pytest.raises(RuleViolated):
        await enrol(deps, program, ana)
    standing = await consent(deps, ana)
    assert (await enrol(deps, program, ana)).status == "ENROLLED"
    assert (await enrol(deps, program, adult)).status == "WAITLISTED"

    withdrawn = await st.withdraw_guardian_consent(deps, coordinator(), st.WithdrawGuardianConsent(
        student_id=ana, consent_id=standing, reason="changed her mind",
    ))  # fmt: skip
    assert withdrawn.message == "1 program(s) left"
    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()
    entries = (await read.enrolments_of_programs(pool, [program]))[program]
    assert [(e.student_id, e.status) for e in entries] == [
        (adult, "ENROLLED"), (ana, "WITHDRAWN")
    ]  # fmt: skip
    (recorded_for_other, recorded_standing) = (await read.consents_of_students(pool, [ana]))[ana]
    assert recorded_for_other.program_id == other
    assert recorded_standing.withdrawn_reason == "changed her mind"
    with pytest.raises(RuleViolated) as refused:
        await st.withdraw_guardian_consent(deps, coordinator(), st.WithdrawGuardianConsent(
            student_id=ana, consent_id=standing, reason="again",
        ))  # fmt: skip
    assert refused.value.rule == "NO_SUCH_CONSENT"


async def test_a_consent_for_the_program_outlives_a_withdrawn_standing_one(deps):
    program, _, _ = await a_program(deps, capacity=2)
    ana = await a_student(deps, "Ana Lima", years=14)
    standing = await consent(deps, ana)
    await enrol(deps, program, ana)
    await consent(deps, ana, program=program)
    left = await st.withdraw_guardian_consent(deps, coordinator(), st.WithdrawGuardianConsent(
        student_id=ana, consent_id=standing, reason="narrowing it to robotics",
    ))  # fmt: skip
    assert left.message == "0 program(s) left"


@pytest.mark.parametrize(
    ("rules", "student", "rule"),
    [
        ({"min_grade": 9, "max_grade": 12}, (19, 8), "GRADE_OUT_OF_BAND"),
        ({"min_grade": 9}, (19, None), "GRADE_OUT_OF_BAND"),
        ({"min_age": 20}, (19, 12), "TOO_YOUNG"),
        ({"max_age": 18}, (19, 12), "TOO_OLD"),
    ],
)
async def test_eligibility_rules_refuse_by_name(deps, store, rules, student, rule):
    years, grade = student
    program, _, _ = await a_program(deps, capacity=2)
    await st.set_eligibility(deps, coordinator(), st.SetEligibility(program_id=program, **rules))
    kid = await a_student(deps, "Ana Lima", years=years, grade=grade)
    before = await store.head()
    with pytest.raises(RuleViolated) as refused:
        await enrol(deps, program, kid)
    assert refused.value.rule == rule
    assert await store.head() == before


async def test_a_prerequisite_must_be_completed_first(deps, pool):
    first, _, _ = await a_program(deps, capacity=2)
    second, _, _ = await a_program(deps, capacity=2)
    await st.set_eligibility(deps, coordinator(), st.SetEligibility(
        program_id=second, prerequisite_ids=[first], min_age=16,
    ))  # fmt: skip
    kid = await a_student(deps, "Ana Lima", years=19)
    with pytest.raises(RuleViolated, match="must first complete 1 prerequisite") as refused:
        await enrol(deps, second, kid)
    assert refused.value.rule == "PREREQUISITE_MISSING"
    await enrol(deps, first, kid)
    await h.complete_enrollment(
        deps, coordinator(), c.CompleteEnrollment(program_id=first, student_id=kid)
    )
    assert (await enrol(deps, second, kid)).status == "ENROLLED"
    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()
    view = (await read.programs(pool, [second]))[second]
    assert (view.prerequisite_ids, view.min_age) == ([first], 16)


async def test_bad_consent_and_eligibility_input_is_refused_by_field(deps):
    program, _, _ = await a_program(deps, capacity=2)
    ana = await a_student(deps, "Ana Lima", years=14)
    with pytest.raises(InvalidInput) as bad:
        c.parse(st.SetEligibility, {"program_id": str(program), "min_grade": 9, "max_grade": 7})
    assert bad.value.field == "maxGrade"
    with pytest.raises(InvalidInput) as bad:
        c.parse(st.SetEligibility, {"program_id": str(program), "min_age": 1})
    assert bad.value.field == "minAge"
    with pytest.raises(InvalidInput) as bad:
        c.parse(st.RecordGuardianConsent, {
            "student_id": str(ana), "guardian_name": "", "relationship": "mother",
            "given_on": str(TODAY),
        })  # fmt: skip
    assert bad.value.field == "guardianName"
    with pytest.raises(NotFound) as missing:
        await st.set_eligibility(deps, coordinator(), st.SetEligibility(
            program_id=program, prerequisite_ids=[ana],
        ))  # fmt: skip
    assert missing.value.field == "prerequisiteIds[0]"
    with pytest.raises(RuleViolated) as refused:
        await st.set_eligibility(deps, coordinator(), st.SetEligibility(
            program_id=program, prerequisite_ids=[program],
        ))  # fmt: skip
    assert refused.value.rule == "PREREQUISITE_IS_ITSELF"
    with pytest.raises(RuleViolated) as refused:
        await st.record_guardian_consent(deps, coordinator(), st.RecordGuardianConsent(
            student_id=ana, guardian_name="Rosa", relationship="mother",
            given_on=TODAY + timedelta(days=1),
        ))  # fmt: skip
    assert refused.value.rule == "CONSENT_IN_FUTURE"
    with pytest.raises(RuleViolated) as refused:
        await h.register_student(deps, coordinator(), c.RegisterStudent(
            name="Future Kid", date_of_birth=TODAY + timedelta(days=1)))  # fmt: skip
    assert refused.value.rule == "BORN_IN_THE_FUTURE"
