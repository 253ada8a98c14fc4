"""Applications through the handlers and into the enrolment view: applied → accepted (a seat
or the line) | denied | refused by the eligibility rules, which is recorded and names the rule."""

from __future__ import annotations

from uuid import uuid4

import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.projections import read
from bridgework.services import applications as ap
from bridgework.services import commands as c
from bridgework.services import handlers as h
from bridgework.services import students as st
from bridgework.services.commands import parse
from bridgework.services.context import Role
from bridgework.services.errors import Forbidden, InvalidInput, NotFound
from support.context import as_actor, as_person, coordinator
from support.scenario import a_program, enrol, runner_for, students


async def apply(deps, program, student, ctx=None, statement="I love robots"):
    cmd = ap.ApplyToProgram(program_id=program, student_id=student, statement=statement)
    return await ap.apply_to_program(deps, ctx or as_person(Role.STUDENT, student), cmd)


async def accept(deps, program, student):
    cmd = ap.AcceptApplication(program_id=program, student_id=student)
    return await ap.accept_application(deps, coordinator(), cmd)


async def deny(deps, program, student, reason):
    cmd = ap.DenyApplication(program_id=program, student_id=student, reason=reason)
    return await ap.deny_application(deps, coordinator(), cmd)


async def test_applications_are_accepted_into_seats_and_line_denied_or_refused(deps, pool):
    program, _, _ = await a_program(deps, capacity=1)
    ana, bo, cy, di = await students(deps, 4)
    for s in (ana, bo, cy):
        assert (await apply(deps, program, s)).status == "APPLIED"
    assert (await accept(deps, program, ana)).status == "ENROLLED"
    waiting = await accept(deps, program, bo)
    assert waiting.status == "WAITLISTED"
    assert "1st on the waitlist" in waiting.message
    assert (await deny(deps, program, cy, "Places go to grade 11 first")).status == "DENIED"

    await st.set_eligibility(
        deps, coordinator(), st.SetEligibility(program_id=program, min_grade=9, max_grade=12)
    )
    refused = await apply(deps, program, di)
    assert refused.status == "REFUSED"
    assert refused.message.startswith("GRADE_OUT_OF_BAND: ")

    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()
    entries = {
        e.student_id: e for e in (await read.enrolments_of_programs(pool, [program]))[program]
    }
    assert [(e.status, e.waitlist_place) for e in entries.values()] == [
        ("ENROLLED", None), ("WAITLISTED", 1), ("DENIED", None), ("REFUSED", None)
    ]  # fmt: skip
    assert entries[cy].reason == "Places go to grade 11 first"
    assert entries[di].rule == "GRADE_OUT_OF_BAND"
    assert "of no recorded grade" in entries[di].reason
    counts = (await read.program_enrolments(pool, [program]))[program]
    assert (counts.enrolled, counts.waitlisted, counts.applied, counts.denied, counts.refused) == (
        1, 1, 0, 1, 1
    )  # fmt: skip
    timeline = [i.summary for i in await read.timelines(pool, [di])]
    assert timeline[-1].startswith("Application to 'Robotics Club' refused (GRADE_OUT_OF_BAND)")

    # The line still moves on its own: Ana leaves, Bo (accepted onto the waitlist) gets the seat.
    await enrol_leaves(deps, program, ana)
    await runner.catch_up()
    entries = {
        e.student_id: e for e in (await read.enrolments_of_programs(pool, [program]))[program]
    }
    assert entries[bo].status == "ENROLLED"


async def enrol_leaves(deps, program, student):
    cmd = c.WithdrawStudent(program_id=program, student_id=student, reason="moved away")
    await h.withdraw_student(deps, coordinator(), cmd)


async def test_an_application_is_decided_once_and_changes_nothing_when_refused(deps, store):
    program, _, _ = await a_program(deps, capacity=2)
    ana, bo = await students(deps, 2)
    await apply(deps, program, ana)
    before = await store.head()
    refusals = [
        (apply(deps, program, ana), "ALREADY_APPLIED"),
        (accept(deps, program, bo), "NO_OPEN_APPLICATION"),
        (deny(deps, program, bo, "no"), "NO_OPEN_APPLICATION"),
    ]
    for attempt, rule in refusals:
        with pytest.raises(RuleViolated) as refused:
            await attempt
        assert refused.value.rule == rule
    assert await store.head() == before

    await enrol(deps, program, ana)  # a coordinator's enrolment settles the open application
    with pytest.raises(RuleViolated) as refused:
        await accept(deps, program, ana)
    assert refused.value.rule == "NO_OPEN_APPLICATION"
    with pytest.raises(RuleViolated) as refused:
        await apply(deps, program, ana)
    assert refused.value.rule == "ALREADY_ENROLLED"

    await deny_after_apply(deps, program, bo)
    assert (await apply(deps, program, bo)).status == "APPLIED"  # a denied student may reapply


async def deny_after_apply(deps, program, student):
    await apply(deps, program, student)
    await deny(deps, program, student, "Full this term")


async def test_bad_applications_name_the_problem_and_append_nothing(deps, store):
    program, _, _ = await a_program(deps, capacity=2)
    (ana,) = await students(deps, 1)
    before = await store.head()
    with pytest.raises(Forbidden, match="only for themselves"):
        await apply(deps, program, ana, ctx=as_person(Role.STUDENT, uuid4()))
    with pytest.raises(Forbidden):
        await apply(deps, program, ana, ctx=as_actor(Role.MENTOR))
    cmd = ap.AcceptApplication(program_id=program, student_id=ana)
    with pytest.raises(Forbidden):
        await ap.accept_application(deps, as_person(Role.STUDENT, ana), cmd)
    with pytest.raises(NotFound) as missing:
        await apply(deps, uuid4(), ana)
    assert missing.value.field == "programId"
    with pytest.raises(InvalidInput) as bad:
        parse(
            ap.DenyApplication, {"program_id": str(program), "student_id": str(ana), "reason": " "}
        )
    assert bad.value.field == "reason"
    with pytest.raises(InvalidInput) as bad:
        parse(ap.ApplyToProgram, {"program_id": str(program), "student_id": str(ana),
                                  "statement": "x" * 2001})  # fmt: skip
    assert bad.value.field == "statement"
    assert await store.head() == before


async def test_accepting_a_minor_needs_a_guardians_consent(deps):
    program, _, _ = await a_program(deps, capacity=2)
    kid = (await h.register_student(deps, coordinator(), c.RegisterStudent(name="Eli Park"))).id
    assert (await apply(deps, program, kid)).status == "APPLIED"  # consent may come later
    with pytest.raises(RuleViolated) as refused:
        await accept(deps, program, kid)
    assert refused.value.rule == "CONSENT_MISSING"
