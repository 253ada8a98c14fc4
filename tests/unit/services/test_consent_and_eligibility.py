"""Guardians' consent and programs' eligibility rules through the handlers, on the memory
store: a refusal names its rule and appends nothing. Freed seats in the views are in
`tests/integration/test_consent_and_eligibility.py`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.services.command.base import parse
from bridgework.services.directory import RegisterStudent, register_student
from bridgework.services.enrolment import SetEligibility, set_eligibility
from bridgework.services.errors import InvalidInput, NotFound
from bridgework.services.safeguarding import (
    RecordGuardianConsent,
    WithdrawGuardianConsent,
    record_guardian_consent,
    withdraw_guardian_consent,
)
from support.consent import a_student, consent
from support.context import staff
from support.scenario import TODAY, a_program, enrol


async def test_a_consent_for_the_program_outlives_a_withdrawn_standing_one(deps):
    program, _, _ = await a_program(deps, capacity=2)
    ana = await a_student(deps, "Ana Lima", years=14)
    standing = await consent(deps, ana)
    await enrol(deps, program, ana)
    await consent(deps, ana, program=program)
    left = await withdraw_guardian_consent(
        deps,
        staff(),
        WithdrawGuardianConsent(
            student_id=ana, consent_id=standing, reason="narrowing it to robotics"
        ),
    )
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
    await set_eligibility(deps, staff(), SetEligibility(program_id=program, **rules))
    kid = await a_student(deps, "Ana Lima", years=years, grade=grade)
    before = await store.head()
    with pytest.raises(RuleViolated) as refused:
        await enrol(deps, program, kid)
    assert refused.value.rule == rule
    assert await store.head() == before


async def test_bad_consent_and_eligibility_input_is_refused_by_field(deps):
    program, _, _ = await a_program(deps, capacity=2)
    ana = await a_student(deps, "Ana Lima", years=14)
    with pytest.raises(InvalidInput) as bad:
        parse(SetEligibility, {"program_id": str(program), "min_grade": 9, "max_grade": 7})
    assert bad.value.field == "maxGrade"
    with pytest.raises(InvalidInput) as bad:
        parse(SetEligibility, {"program_id": str(program), "min_age": 1})
    assert bad.value.field == "minAge"
    with pytest.raises(InvalidInput) as bad:
        parse(
            RecordGuardianConsent,
            {
                "student_id": str(ana),
                "guardian_name": "",
                "relationship": "mother",
                "given_on": str(TODAY),
            },
        )
    assert bad.value.field == "guardianName"
    with pytest.raises(NotFound) as missing:
        await set_eligibility(
            deps, staff(), SetEligibility(program_id=program, prerequisite_ids=[ana])
        )
    assert missing.value.field == "prerequisiteIds[0]"
    with pytest.raises(RuleViolated) as refused:
        await set_eligibility(
            deps, staff(), SetEligibility(program_id=program, prerequisite_ids=[program])
        )
    assert refused.value.rule == "PREREQUISITE_IS_ITSELF"
    with pytest.raises(RuleViolated) as refused:
        await record_guardian_consent(
            deps,
            staff(),
            RecordGuardianConsent(
                student_id=ana,
                guardian_name="Rosa",
                relationship="mother",
                given_on=TODAY + timedelta(days=1),
            ),
        )
    assert refused.value.rule == "CONSENT_IN_FUTURE"
    with pytest.raises(RuleViolated) as refused:
        await register_student(
            deps,
            staff(),
            RegisterStudent(name="Future Kid", date_of_birth=TODAY + timedelta(days=1)),
        )
    assert refused.value.rule == "BORN_IN_THE_FUTURE"
