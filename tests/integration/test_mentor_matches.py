"""Mentor matches from assignment to their end: closure reasons, meetings, load, quiet ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.domain.mentoring import MatchClosure
from bridgework.projections.mentoring import (
    matches_of_mentors,
    matches_of_programs,
    mentor_loads,
    proposals_of_programs,
    quiet_matches,
)
from bridgework.services.command.base import parse
from bridgework.services.context import Role
from bridgework.services.enrolment import (
    CompleteEnrollment,
    WithdrawStudent,
    complete_enrollment,
    withdraw_student,
)
from bridgework.services.errors import Forbidden, InvalidInput
from bridgework.services.mentoring import (
    AssignMentor,
    CloseMentorMatch,
    ConfirmMentorMatch,
    DeclineMentorMatch,
    LogMentorMeeting,
    ProposeMentorMatch,
    assign_mentor,
    close_mentor_match,
    confirm_mentor_match,
    decline_mentor_match,
    log_mentor_meeting,
    propose_mentor_match,
)
from support.context import as_person, staff
from support.scenario import TODAY, a_program, cleared_mentor, enrol, runner_for, students


async def test_matches_end_with_a_reason_and_meetings_keep_them_alive(deps, pool, store):
    program, orgs, _ = await a_program(deps, capacity=4)
    ana, bo, cy, dee = await students(deps, 4)
    mentor = (await cleared_mentor(deps, orgs[1], capacity=4)).id
    for kid in (ana, bo, cy, dee):
        await enrol(deps, program, kid)
        await assign_mentor(
            deps, staff(), AssignMentor(program_id=program, student_id=kid, mentor_id=mentor)
        )
    await log_mentor_meeting(
        deps,
        staff(),
        LogMentorMeeting(program_id=program, student_id=ana, met_on=TODAY, minutes=45),
    )
    await close_mentor_match(
        deps,
        staff(),
        CloseMentorMatch(
            program_id=program,
            student_id=bo,
            reason=MatchClosure.MISMATCH,
            note="Different goals",
        ),
    )
    await withdraw_student(
        deps, staff(), WithdrawStudent(program_id=program, student_id=cy, reason="Moved away")
    )
    await complete_enrollment(deps, staff(), CompleteEnrollment(program_id=program, student_id=dee))
    # Bo can be matched again once the first match is closed.
    await assign_mentor(
        deps, staff(), AssignMentor(program_id=program, student_id=bo, mentor_id=mentor)
    )
    before = await store.head()
    with pytest.raises(RuleViolated) as refused:
        await close_mentor_match(
            deps,
            staff(),
            CloseMentorMatch(program_id=program, student_id=cy, reason=MatchClosure.OTHER),
        )
    assert refused.value.rule == "NO_MENTOR_MATCH"
    with pytest.raises(RuleViolated) as refused:
        await log_mentor_meeting(
            deps,
            staff(),
            LogMentorMeeting(
                program_id=program,
                student_id=ana,
                met_on=TODAY + timedelta(days=1),
                minutes=5,
            ),
        )
    assert refused.value.rule == "MEETING_IN_FUTURE"
    with pytest.raises(InvalidInput) as bad:
        await log_mentor_meeting(
            deps,
            staff(),
            LogMentorMeeting(program_id=program, student_id=cy, met_on=TODAY, minutes=5),
        )
    assert bad.value.field == "studentId"
    with pytest.raises(InvalidInput) as bad:
        parse(
            LogMentorMeeting,
            {
                "program_id": str(program),
                "student_id": str(ana),
                "met_on": str(TODAY),
                "minutes": 0,
            },
        )
    assert bad.value.field == "minutes"
    assert await store.head() == before

    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()
    matches = (await matches_of_mentors(pool, [mentor]))[mentor]
    ended = {(mt.student_id, mt.closure_reason) for mt in matches if mt.ended_on is not None}
    assert ended == {(bo, "mismatch"), (cy, "student_left"), (dee, "goals_met")}
    (ana_match,) = [mt for mt in matches if mt.student_id == ana]
    assert (ana_match.meetings, ana_match.meeting_minutes, ana_match.last_met_on) == (
        1,
        45,
        TODAY,
    )
    load = (await mentor_loads(pool, [mentor], TODAY))[mentor]
    assert (load.active, load.closed, load.closed_early) == (2, 3, 2)
    later = TODAY + timedelta(days=31)
    quiet = await quiet_matches(pool, later, 30)
    assert {mt.student_id for mt in quiet} == {ana, bo}
    assert await quiet_matches(pool, TODAY, 30) == []


async def test_a_proposed_match_starts_only_when_the_mentor_confirms_it(deps, pool, store):
    program, orgs, _ = await a_program(deps, capacity=4)
    ana, bo, cy = await students(deps, 3)
    for kid in (ana, bo, cy):
        await enrol(deps, program, kid)
    dana = (await cleared_mentor(deps, orgs[1], capacity=2)).id
    eli = (await cleared_mentor(deps, orgs[1], name="Eli Moss", capacity=1)).id
    for kid, mentor in ((ana, dana), (bo, dana), (cy, eli)):
        await propose_mentor_match(
            deps,
            staff(),
            ProposeMentorMatch(program_id=program, student_id=kid, mentor_id=mentor),
        )

    before = await store.head()
    refusals = [
        (
            propose_mentor_match(
                deps,
                staff(),
                ProposeMentorMatch(program_id=program, student_id=ana, mentor_id=eli),
            ),
            "MATCH_ALREADY_PROPOSED",
        ),
        (
            log_mentor_meeting(
                deps,
                staff(),
                LogMentorMeeting(program_id=program, student_id=ana, met_on=TODAY, minutes=30),
            ),
            None,
        ),
    ]
    for attempt, rule in refusals:
        with pytest.raises(RuleViolated if rule else InvalidInput) as refused:
            await attempt
        if rule:
            assert refused.value.rule == rule
    confirm = ConfirmMentorMatch(program_id=program, student_id=ana)
    with pytest.raises(Forbidden, match="only matches proposed to them"):
        await confirm_mentor_match(deps, as_person(Role.MENTOR, eli), confirm)
    assert await store.head() == before

    confirmed = await confirm_mentor_match(deps, as_person(Role.MENTOR, dana), confirm)
    assert confirmed.status == "active"
    decline = DeclineMentorMatch(
        program_id=program, student_id=bo, reason="Our schedules do not overlap"
    )
    declined = await decline_mentor_match(deps, as_person(Role.MENTOR, dana), decline)
    assert declined.status == "declined"
    with pytest.raises(RuleViolated) as refused:
        await confirm_mentor_match(
            deps,
            as_person(Role.MENTOR, dana),
            ConfirmMentorMatch(program_id=program, student_id=bo),
        )
    assert refused.value.rule == "NO_PROPOSED_MATCH"
    await withdraw_student(
        deps, staff(), WithdrawStudent(program_id=program, student_id=cy, reason="Moved away")
    )

    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()
    proposals = (await proposals_of_programs(pool, [program]))[program]
    assert [(p.student_id, p.status, p.reason) for p in proposals] == [
        (ana, "confirmed", ""),
        (bo, "declined", "Our schedules do not overlap"),
        (cy, "lapsed", "Moved away"),
    ]
    (match,) = (await matches_of_programs(pool, [program]))[program]
    assert (match.student_id, match.mentor_id, match.ended_on) == (ana, dana, None)
