"""A partnership's year for the impact report tests: the live report captured part way."""

from __future__ import annotations

from datetime import timedelta

from bridgework.projections.impact import impact_report
from bridgework.services.enrolment import CompleteEnrollment, complete_enrollment
from support.context import staff
from support.scenario import TODAY, a_program, demographics, enrol, students

PERIOD = (TODAY - timedelta(days=1), TODAY + timedelta(days=30))


async def a_year(runtime):
    """Seven students in a program, six reporting a gender (five of one), two completing;
    the live report captured, then more students enrol and complete."""
    deps = runtime.deps
    program, _, partnership = await a_program(deps, capacity=20)
    kids = await students(deps, 7)
    for kid in kids:
        await enrol(deps, program, kid)
    for i, kid in enumerate(kids[:6]):
        await demographics(deps, kid, gender="female" if i < 5 else "male")
    cmd = CompleteEnrollment(program_id=program, student_id=kids[0])
    position = (await complete_enrollment(deps, staff(), cmd)).position
    await runtime.runner.catch_up()
    async with runtime.pool.acquire() as conn:
        then = await impact_report(conn, partnership, *PERIOD)
    for kid in await students(deps, 3):
        await enrol(deps, program, kid)
    await complete_enrollment(
        deps, staff(), CompleteEnrollment(program_id=program, student_id=kids[1])
    )
    await runtime.runner.catch_up()
    return partnership, position, then
