"""Sessions and attendance: rates, absences in a row, corrections, refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bridgework.domain.attendance import Attendance
from bridgework.domain.errors import RuleViolated
from bridgework.projections.attendance import attendance_of_programs, sessions_of_programs
from bridgework.services.attendance import (
    Mark,
    RecordAttendance,
    ScheduleSession,
    record_attendance,
    schedule_session,
)
from bridgework.services.command.base import parse
from bridgework.services.errors import InvalidInput
from support.context import staff
from support.scenario import TODAY, a_program, enrol, runner_for, students

P, E, U = Attendance.PRESENT, Attendance.EXCUSED, Attendance.UNEXCUSED


async def session(deps, program, days_ago: int):
    cmd = ScheduleSession(
        program_id=program, held_on=TODAY - timedelta(days=days_ago), title="Club night"
    )
    return (await schedule_session(deps, staff(), cmd)).id


async def mark(deps, program, session_id, **marks):
    cmd = RecordAttendance(
        program_id=program,
        session_id=session_id,
        marks=[Mark(student_id=kid, status=status) for kid, status in marks.values()],
    )
    return await record_attendance(deps, staff(), cmd)


async def test_attendance_rates_and_absences_in_a_row(deps, pool, store):
    program, _, _ = await a_program(deps, capacity=3)
    ana, bo, outsider = await students(deps, 3)
    for kid in (ana, bo):
        await enrol(deps, program, kid)
    # a_program starts today, so sessions are today; four of them, oldest first by order.
    sessions = [await session(deps, program, 0) for _ in range(4)]
    for i, s in enumerate(sessions):
        await mark(deps, program, s, a=(ana, P), b=(bo, P if i == 0 else (E if i < 3 else U)))
    await mark(deps, program, sessions[3], a=(ana, U))  # a mistake…
    await mark(deps, program, sessions[3], a=(ana, P))  # …corrected

    before = await store.head()
    with pytest.raises(RuleViolated) as refused:
        await mark(deps, program, sessions[0], a=(outsider, P))
    assert refused.value.rule == "NOT_ENROLLED"
    with pytest.raises(RuleViolated) as refused:
        await mark(deps, program, program, a=(ana, P))
    assert refused.value.rule == "UNKNOWN_SESSION"
    with pytest.raises(RuleViolated) as refused:
        await session(deps, program, 1)  # the day before the program starts
    assert refused.value.rule == "SESSION_OUTSIDE_PROGRAM"
    ids = {"program_id": str(program), "session_id": str(program)}
    twice = [
        {"student_id": str(ana), "status": "present"},
        {"student_id": str(ana), "status": "excused"},
    ]
    with pytest.raises(InvalidInput) as bad:
        parse(RecordAttendance, ids | {"marks": twice})
    assert bad.value.field == "marks"
    with pytest.raises(InvalidInput) as bad:
        parse(RecordAttendance, ids | {"marks": [{"student_id": str(ana), "status": "late"}]})
    assert bad.value.field == "marks[0].status"
    assert await store.head() == before

    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()
    rows = {a.student_id: a for a in (await attendance_of_programs(pool, [program]))[program]}
    assert (rows[ana].present, rows[ana].rate, rows[ana].absences_in_a_row) == (4, 1.0, 0)
    assert (rows[bo].present, rows[bo].excused, rows[bo].unexcused) == (1, 2, 1)
    assert rows[bo].absences_in_a_row == 3
    listed = (await sessions_of_programs(pool, [program]))[program]
    assert [(x.present, x.excused, x.unexcused) for x in listed] == [
        (2, 0, 0),
        (1, 1, 0),
        (1, 1, 0),
        (1, 0, 1),
    ]
