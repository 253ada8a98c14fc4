"""The student timeline: every event about a student from every stream, in log order."""

from __future__ import annotations

from bridgework.projections.timeline import timelines
from bridgework.services.enrolment import WithdrawStudent, withdraw_student
from bridgework.services.mentoring import AssignMentor, assign_mentor
from bridgework.services.outcomes import RecordShowcase, record_showcase
from support.context import staff
from support.scenario import TODAY, a_program, cleared_mentor, enrol, runner_for, students


async def test_a_students_timeline_gathers_their_events_from_every_stream(deps, pool):
    program, orgs, _ = await a_program(deps, capacity=1)
    ana, bo = await students(deps, 2)
    await enrol(deps, program, ana)
    await enrol(deps, program, bo)  # waitlisted
    mentor = await cleared_mentor(deps, orgs[1])
    await assign_mentor(
        deps, staff(), AssignMentor(program_id=program, student_id=ana, mentor_id=mentor.id)
    )
    await record_showcase(
        deps,
        staff(),
        RecordShowcase(
            program_id=program, title="Robot Rumble", held_on=TODAY, presenter_ids=[ana]
        ),
    )
    await withdraw_student(
        deps,
        staff(),
        WithdrawStudent(program_id=program, student_id=ana, reason="Moved away"),
    )
    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()

    mine = await timelines(pool, [ana])
    assert [e.summary for e in mine] == [
        "Registered as a student",
        "Enrolled in 'Robotics Club'",
        "Given a mentor in 'Robotics Club'",
        "Presented 'Robot Rumble' at a showcase of 'Robotics Club'",
        "Withdrawn from 'Robotics Club': Moved away",
    ]
    assert [e.position for e in mine] == sorted(e.position for e in mine)
    assert all(e.program_id == program for e in mine[1:])
    theirs = [e.summary for e in await timelines(pool, [bo])]
    assert theirs == [
        "Registered as a student",
        "Waitlisted for 'Robotics Club'",
        "Given a seat in 'Robotics Club' from the waitlist",
    ]
    newest = await timelines(pool, [ana], newest_first=True, limit=2)
    assert [e.event_type for e in newest] == ["StudentWithdrawn", "ShowcaseRecorded"]
    older = await timelines(pool, [ana], after=newest[-1].position, newest_first=True)
    assert [e.event_type for e in older] == [
        "MentorAssigned",
        "StudentEnrolled",
        "StudentRegistered",
    ]
