"""Applications through the handlers, on the memory store: decided once, refusals that
name their rule and append nothing. Into the enrolment view: `tests/integration/`."""

from __future__ import annotations

from uuid import uuid4

import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.services import applications as ap
from bridgework.services.command.base import parse
from bridgework.services.context import Role
from bridgework.services.directory import RegisterStudent, register_student
from bridgework.services.errors import Forbidden, InvalidInput, NotFound
from support.applications import accept, apply, deny
from support.context import as_actor, as_person, staff
from support.scenario import a_program, enrol, students


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
        parse(
            ap.ApplyToProgram,
            {"program_id": str(program), "student_id": str(ana), "statement": "x" * 2001},
        )
    assert bad.value.field == "statement"
    assert await store.head() == before


async def test_accepting_a_minor_needs_a_guardians_consent(deps):
    program, _, _ = await a_program(deps, capacity=2)
    kid = (await register_student(deps, staff(), RegisterStudent(name="Eli Park"))).id
    assert (await apply(deps, program, kid)).status == "APPLIED"  # consent may come later
    with pytest.raises(RuleViolated) as refused:
        await accept(deps, program, kid)
    assert refused.value.rule == "CONSENT_MISSING"
