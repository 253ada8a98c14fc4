"""Applications through the handlers and into the enrolment view: applied → accepted (a seat
or the line) | denied | refused by the eligibility rules, which is recorded and names the rule."""

from __future__ import annotations

from bridgework.projections.enrolment import enrolments_of_programs, program_enrolments
from bridgework.projections.timeline import timelines
from bridgework.services.enrolment import (
    SetEligibility,
    WithdrawStudent,
    set_eligibility,
    withdraw_student,
)
from support.applications import accept, apply, deny
from support.context import staff
from support.scenario import a_program, runner_for, students


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

    await set_eligibility(
        deps, staff(), SetEligibility(program_id=program, min_grade=9, max_grade=12)
    )
    refused = await apply(deps, program, di)
    assert refused.status == "REFUSED"
    assert refused.message.startswith("GRADE_OUT_OF_BAND: ")

    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()
    entries = {e.student_id: e for e in (await enrolments_of_programs(pool, [program]))[program]}
    assert [(e.status, e.waitlist_place) for e in entries.values()] == [
        ("ENROLLED", None),
        ("WAITLISTED", 1),
        ("DENIED", None),
        ("REFUSED", None),
    ]
    assert entries[cy].reason == "Places go to grade 11 first"
    assert entries[di].rule == "GRADE_OUT_OF_BAND"
    assert "of no recorded grade" in entries[di].reason
    counts = (await program_enrolments(pool, [program]))[program]
    assert (counts.enrolled, counts.waitlisted, counts.applied, counts.denied, counts.refused) == (
        1,
        1,
        0,
        1,
        1,
    )
    timeline = [i.summary for i in await timelines(pool, [di])]
    assert timeline[-1].startswith("Application to 'Robotics Club' refused (GRADE_OUT_OF_BAND)")

    # The line still moves on its own: Ana leaves, Bo (accepted onto the waitlist) gets the seat.
    await enrol_leaves(deps, program, ana)
    await runner.catch_up()
    entries = {e.student_id: e for e in (await enrolments_of_programs(pool, [program]))[program]}
    assert entries[bo].status == "ENROLLED"


async def enrol_leaves(deps, program, student):
    cmd = WithdrawStudent(program_id=program, student_id=student, reason="moved away")
    await withdraw_student(deps, staff(), cmd)
