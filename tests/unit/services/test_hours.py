"""Hours logs through the handlers, on the memory store: the supervisor's mailed link works
once, while it is the latest and unexpired; the school decides only on verified hours; bad
hours append nothing. Into the hours view: `tests/integration/`."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import msgspec
import pytest
from bridgework.domain.base import day
from bridgework.domain.errors import RuleViolated
from bridgework.services import hours as hr
from bridgework.services.command.base import parse
from bridgework.services.context import Role
from bridgework.services.errors import Forbidden, InvalidInput, NotFound
from support.context import as_person, staff
from support.hours import answer, hours_of, mailed_token, submit
from support.scenario import TODAY, a_program, enrol, students


async def test_a_link_works_once_while_it_is_the_latest_and_unexpired(deps, store):
    program, _, _ = await a_program(deps, capacity=2)
    (ana,) = await students(deps, 1)
    await enrol(deps, program, ana)
    logged = await submit(deps, ana, program)
    first = await mailed_token(deps, logged.id)
    resent = await hr.resend_verification_link(
        deps, as_person(Role.STUDENT, ana), hr.ResendVerificationLink(log_id=logged.id)
    )
    token = await mailed_token(deps, resent.id)
    assert token != first
    assert [m.to for m in store.mail] == ["dana@ardent.example"] * 2
    before = await store.head()
    with pytest.raises(RuleViolated) as refused:
        await answer(deps, first)
    assert refused.value.rule == "LINK_SUPERSEDED"

    later = msgspec.structs.replace(deps, clock=lambda: deps.clock() + timedelta(days=15))
    with pytest.raises(RuleViolated) as refused:
        await answer(later, token)
    assert refused.value.rule == "LINK_EXPIRED"

    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(RuleViolated) as refused:
        await answer(deps, tampered)
    assert refused.value.rule == "LINK_UNKNOWN"
    for bad_token in ("x" * 501, "not-an-entry.secret", f"{logged.id.hex}."):
        with pytest.raises(InvalidInput) as bad:
            await answer(deps, bad_token)
        assert bad.value.field == "token"
    assert await store.head() == before

    await answer(deps, token)
    with pytest.raises(RuleViolated) as refused:
        await answer(deps, token)  # a replay
    assert refused.value.rule == "LINK_ALREADY_USED"
    with pytest.raises(RuleViolated) as refused:
        await hr.resend_verification_link(
            deps, as_person(Role.STUDENT, ana), hr.ResendVerificationLink(log_id=logged.id)
        )
    assert refused.value.rule == "HOURS_ALREADY_DECIDED"
    assert len(store.mail) == 2  # a refused command mails nothing


async def test_the_log_keeps_only_the_hash_of_a_link_and_the_answer_no_token(deps, store):
    program, _, _ = await a_program(deps, capacity=2)
    (ana,) = await students(deps, 1)
    await enrol(deps, program, ana)
    logged = await submit(deps, ana, program)
    token = await mailed_token(deps, logged.id)
    assert token not in msgspec.json.encode(logged).decode()
    log = b"".join(e.payload + e.metadata_json for e in await store.load(f"hours-{logged.id}"))
    assert token.encode() not in log
    assert hr.token_hash(token).encode() in log
    (mail,) = store.mail
    assert mail.dedupe_key == f"supervisor-link:{logged.id}.1"
    assert mail.body.count("http://127.0.0.1:8000/verify-hours?token=") == 1
    assert (mail.to, mail.subject) == (
        "dana@ardent.example",
        "Please verify Student 0's hours on " + day(TODAY),
    )
    assert "Student 0 logged 3.5 hours" in mail.body
    assert "in Robotics Club:\nSoldered the drive train\n" in mail.body

    public = msgspec.structs.replace(deps, public_url="https://bridgework.example.org/")
    await submit(public, ana, program)
    assert "\nhttps://bridgework.example.org/verify-hours?token=" in store.mail[-1].body


async def test_the_school_decides_only_on_verified_hours(deps):
    program, _, _ = await a_program(deps, capacity=2)
    (ana,) = await students(deps, 1)
    await enrol(deps, program, ana)
    waiting = await submit(deps, ana, program)
    with pytest.raises(RuleViolated) as refused:
        await hr.approve_hours(deps, staff(), hr.ApproveHours(log_id=waiting.id))
    assert refused.value.rule == "HOURS_NOT_VERIFIED"
    await answer(deps, await mailed_token(deps, waiting.id), verified=False, reason="Wrong day")
    with pytest.raises(RuleViolated) as refused:
        await hr.reject_hours(deps, staff(), hr.RejectHours(log_id=waiting.id, reason="x"))
    assert refused.value.rule == "HOURS_DECIDED"
    other = await submit(deps, ana, program)
    await answer(deps, await mailed_token(deps, other.id))
    with pytest.raises(Forbidden):
        await hr.approve_hours(deps, as_person(Role.STUDENT, ana), hr.ApproveHours(log_id=other.id))
    rejected = await hr.reject_hours(
        deps, staff(), hr.RejectHours(log_id=other.id, reason="Over the weekly cap")
    )
    assert rejected.status == "rejected"


async def test_bad_hours_name_the_problem_and_append_nothing(deps, store):
    program, _, _ = await a_program(deps, capacity=2)
    ana, outsider = await students(deps, 2)
    await enrol(deps, program, ana)
    before = await store.head()
    for hours, changes, rule in (
        ("0", {}, "HOURS_OUT_OF_RANGE"),
        ("24.5", {}, "HOURS_OUT_OF_RANGE"),
        ("2", {"worked_on": TODAY + timedelta(days=1)}, "DATE_IN_FUTURE"),
        ("2", {"worked_on": TODAY - timedelta(days=1)}, "OUTSIDE_PROGRAM"),
    ):
        with pytest.raises(RuleViolated) as refused:
            await submit(deps, ana, program, hours, **changes)
        assert refused.value.rule == rule
    with pytest.raises(RuleViolated) as refused:
        await submit(deps, outsider, program)
    assert refused.value.rule == "NOT_IN_PROGRAM"
    with pytest.raises(Forbidden, match="only their own"):
        await hr.submit_hours(deps, as_person(Role.STUDENT, outsider), hours_of(ana, program))
    with pytest.raises(InvalidInput) as bad:  # the input's pattern lets it by, the outbox not
        await submit(deps, ana, program, supervisor_email="dana(ortiz)@ardent.example")
    assert bad.value.field == "supervisorEmail"
    with pytest.raises(NotFound) as missing:
        await submit(deps, ana, uuid4())
    assert missing.value.field == "programId"
    plain = msgspec.to_builtins(hours_of(ana, program))
    for change, field in (
        ({"hours": "1.125"}, "hours"),
        ({"hours": "lots"}, "hours"),
        ({"supervisor_email": "dana at ardent"}, "supervisorEmail"),
        ({"activity": " "}, "activity"),
        ({"supervisor_name": None}, "supervisorName"),
    ):
        with pytest.raises(InvalidInput) as bad:
            parse(hr.SubmitHours, plain | change)
        assert bad.value.field == field
    with pytest.raises(InvalidInput) as bad:
        parse(hr.VerifyHours, {"token": "t", "supervisor_name": "Dana", "verified": False})
    assert bad.value.field == "reason"
    assert await store.head() == before
