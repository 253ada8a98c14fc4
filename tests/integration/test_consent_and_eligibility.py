"""Guardians' consent and programs' eligibility rules, through the handlers: a refusal
names its rule and appends nothing; withdrawing consent frees the seat for the next in line."""

from __future__ import annotations

import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.projections.directory import programs
from bridgework.projections.enrolment import enrolments_of_programs
from bridgework.projections.safeguarding import consents_of_students
from bridgework.services.enrolment import (
    CompleteEnrollment,
    SetEligibility,
    complete_enrollment,
    set_eligibility,
)
from bridgework.services.safeguarding import WithdrawGuardianConsent, withdraw_guardian_consent
from support.consent import a_student, consent
from support.context import staff
from support.scenario import a_program, enrol, runner_for


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

    withdrawn = await withdraw_guardian_consent(
        deps,
        staff(),
        WithdrawGuardianConsent(
            student_id=ana,
            consent_id=standing,
            reason="changed her mind",
        ),
    )
    assert withdrawn.message == "1 program(s) left"
    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()
    entries = (await enrolments_of_programs(pool, [program]))[program]
    assert [(e.student_id, e.status) for e in entries] == [(adult, "ENROLLED"), (ana, "WITHDRAWN")]
    (recorded_for_other, recorded_standing) = (await consents_of_students(pool, [ana]))[ana]
    assert recorded_for_other.program_id == other
    assert recorded_standing.withdrawn_reason == "changed her mind"
    with pytest.raises(RuleViolated) as refused:
        await withdraw_guardian_consent(
            deps,
            staff(),
            WithdrawGuardianConsent(
                student_id=ana,
                consent_id=standing,
                reason="again",
            ),
        )
    assert refused.value.rule == "NO_SUCH_CONSENT"


async def test_a_prerequisite_must_be_completed_first(deps, pool):
    first, _, _ = await a_program(deps, capacity=2)
    second, _, _ = await a_program(deps, capacity=2)
    await set_eligibility(
        deps,
        staff(),
        SetEligibility(
            program_id=second,
            prerequisite_ids=[first],
            min_age=16,
        ),
    )
    kid = await a_student(deps, "Ana Lima", years=19)
    with pytest.raises(RuleViolated, match="must first complete 1 prerequisite") as refused:
        await enrol(deps, second, kid)
    assert refused.value.rule == "PREREQUISITE_MISSING"
    await enrol(deps, first, kid)
    await complete_enrollment(deps, staff(), CompleteEnrollment(program_id=first, student_id=kid))
    assert (await enrol(deps, second, kid)).status == "ENROLLED"
    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()
    view = (await programs(pool, [second]))[second]
    assert (view.prerequisite_ids, view.min_age) == ([first], 16)
