"""The demo's safeguarding chapter: checks that need attention, eligibility, mentoring
meetings and a guardian who changed their mind."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bridgework.domain.mentoring import MatchClosure
from bridgework.services.enrolment import SetEligibility
from bridgework.services.mentoring import CloseMentorMatch, LogMentorMeeting
from bridgework.services.safeguarding import WithdrawGuardianConsent

if TYPE_CHECKING:
    from bridgework.infra.demo.script import Script, World


async def safeguarding_chapter(s: Script, w: World) -> None:
    """Checks that need attention: one lapsing soon, one flagged, one still pending."""
    keisha = w.mentors["shieldnet"][0]
    await s.clearance(
        keisha,
        "clear",
        completed_days_ago=353,
        expires_in_days=12,
        check_type="Child protection training",
    )
    flagged = await s.mentor("Victor Hale", w.orgs["bytewave"])
    await s.clearance(flagged, "flagged", completed_days_ago=2)
    pending = await s.mentor("Marta Ruiz", w.orgs["sunspark"])
    await s.clearance(pending, "pending", check_type="State fingerprint check")

    # Who programs are for, and a guardian who changed their mind.
    await s.run(
        SetEligibility(
            program_id=w.programs["biotech"],
            min_grade=10,
            max_grade=12,
            min_age=15,
            max_age=19,
        )
    )
    await s.run(
        SetEligibility(
            program_id=w.programs["apps"],
            min_grade=9,
            max_grade=12,
            prerequisite_ids=[w.programs["bootcamp"]],
        )
    )
    # Mentoring: meetings, a match that did not work out, and one gone quiet.
    robotics, biotech = w.programs["robotics"], w.programs["biotech"]
    lincoln, east = w.students["lincoln"], w.students["eastside"]
    for kid, days_ago in ((lincoln[0], 3), (lincoln[1], 10), (lincoln[0], 17)):
        await s.run(
            LogMentorMeeting(
                program_id=robotics,
                student_id=kid,
                met_on=s.today - timedelta(days=days_ago),
                minutes=45,
                notes="Worked on the drivetrain",
            )
        )
    await s.run(
        LogMentorMeeting(
            program_id=biotech,
            student_id=east[9],
            met_on=s.today - timedelta(days=40),
            minutes=60,
        )
    )
    await s.run(
        CloseMentorMatch(
            program_id=robotics,
            student_id=lincoln[2],
            reason=MatchClosure.SCHEDULE,
            note="Practice clashes with the engineer's shifts",
        )
    )
    leaving = w.students["st_brigid"][5]
    await s.run(
        WithdrawGuardianConsent(
            student_id=leaving,
            consent_id=s.consents[leaving],
            reason="Family moving abroad at the end of term",
        )
    )
