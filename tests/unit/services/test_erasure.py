"""Erasing a student, on the memory store: who may, and what is left to do about them."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.domain.student import Student
from bridgework.services import hours as hr
from bridgework.services.context import Actor, CommandContext, Role
from bridgework.services.directory import (
    EraseStudent,
    RegisterStudent,
    erase_student,
    register_student,
)
from bridgework.services.errors import Forbidden
from support.context import staff
from support.scenario import TODAY, a_program, enrol, students


def staff_of(*organisations) -> CommandContext:
    return CommandContext(
        actor=Actor("coordinator-of", Role.COORDINATOR, frozenset(organisations)),
        correlation_id=uuid4(),
        command_uuid=uuid4(),
    )


async def test_a_coordinator_of_another_school_may_not_erase_a_student(memory_deps):
    school, other = uuid4(), uuid4()
    deps = memory_deps
    org = await a_program(deps, capacity=1)
    kid = (
        await register_student(deps, staff(), RegisterStudent(name="Ana Lima", school_id=org[1][0]))
    ).id
    with pytest.raises(Forbidden):
        await erase_student(deps, staff_of(other, school), EraseStudent(student_id=kid, reason="x"))
    await erase_student(deps, staff_of(org[1][0]), EraseStudent(student_id=kid, reason="asked"))


async def test_after_an_erasure_no_mail_about_the_student_goes_out_and_the_cache_is_dropped(
    memory_deps,
):
    deps = memory_deps
    program, *_ = await a_program(deps, capacity=2)
    [kid] = await students(deps, 1)
    await enrol(deps, program, kid)
    submit = hr.SubmitHours(
        student_id=kid,
        program_id=program,
        worked_on=TODAY,
        hours=Decimal(2),
        activity="Wiring",
        supervisor_name="Dana Ortiz",
        supervisor_email="dana@ardent.example",
    )
    logged = await hr.submit_hours(deps, staff(), submit)
    await erase_student(deps, staff(), EraseStudent(student_id=kid, reason="asked"))
    assert len(deps.streams.cache) == 0
    with pytest.raises(RuleViolated, match="erased"):
        await hr.resend_verification_link(
            deps, staff(), hr.ResendVerificationLink(log_id=logged.id)
        )
    with pytest.raises(RuleViolated, match="erased"):
        await hr.submit_hours(deps, staff(), submit)
    assert [m.to for m in deps.store.mail] == ["erased"]  # the one mailed before, scrubbed
    stored = await deps.store.load(Student.stream_id(kid))
    assert deps.codec.decode(stored[0]).name == "erased"
