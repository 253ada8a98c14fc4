"""Hours logs through the handlers and into the hours view: submitted → verified or declined
through the supervisor's mailed link (once, while it is the latest and unexpired) →
approved or rejected by the school."""

from __future__ import annotations

from decimal import Decimal

from bridgework.projections.hours import hours_of_students, hours_totals_of_programs
from bridgework.projections.timeline import timelines
from bridgework.services import hours as hr
from support.context import staff
from support.hours import answer, mailed_token, submit
from support.scenario import a_program, enrol, runner_for, students


async def test_hours_are_verified_through_the_link_then_approved(deps, pool, store):
    program, _, _ = await a_program(deps, capacity=2)
    ana, bo = await students(deps, 2)
    for kid in (ana, bo):
        await enrol(deps, program, kid)
    first = await submit(deps, ana, program, "3.5")
    second = await submit(deps, ana, program, "2")
    third = await submit(deps, bo, program, "4.25")
    assert first.status == "submitted"
    first_token = await mailed_token(deps, first.id)
    assert first_token
    assert (await answer(deps, first_token)).status == "verified"
    second_token = await mailed_token(deps, second.id)
    assert (await answer(deps, second_token, False, "Ana was not in that day")).status == "declined"
    await answer(deps, await mailed_token(deps, third.id))
    approved = await hr.approve_hours(deps, staff(), hr.ApproveHours(log_id=first.id))
    assert approved.status == "approved"
    actors = [e.metadata.actor for e in await store.load(f"hours-{first.id}")]
    assert actors[2] == f"supervisor:link:{first.id}"  # submitted, link issued, verified

    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()
    entries = (await hours_of_students(pool, [ana]))[ana]
    assert [(e.hours, e.status, e.reason) for e in entries] == [
        (Decimal("3.50"), "approved", ""),
        (Decimal("2.00"), "declined", "Ana was not in that day"),
    ]
    assert entries[0].verified_at is not None
    assert entries[0].approved_at is not None
    totals = (await hours_totals_of_programs(pool, [program]))[program]
    assert (totals.submitted, totals.verified, totals.approved) == (
        Decimal("9.75"),
        Decimal("7.75"),
        Decimal("3.50"),
    )
    assert (totals.awaiting_supervisor, totals.awaiting_school) == (0, 1)
    timeline = [i.summary for i in await timelines(pool, [ana])]
    assert timeline[-5:] == [
        "Logged 3.5 hours in 'Robotics Club': Soldered the drive train",
        "Logged 2 hours in 'Robotics Club': Soldered the drive train",
        "Hours verified by Dana Ortiz",
        "Hours declined by Dana Ortiz: Ana was not in that day",
        "Hours approved by the school",
    ]
