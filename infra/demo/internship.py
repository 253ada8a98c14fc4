"""The demo's internships: Bytewave's host is proposed to the summer interns (one confirmed,
one awaiting her answer); interns log days at Bytewave and Helix; supervisors answer through
their links; the school approves some. One entry still waits for its supervisor, one for
the school."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from bridgework.services import hours as hr
from bridgework.services import mentoring as m
from bridgework.services.context import Actor, Role

if TYPE_CHECKING:
    from bridgework.infra.demo.script import Script, World


async def internship_chapter(s: Script, w: World) -> None:
    east, internship = w.students["eastside"], w.programs["internship"]
    host = await s.mentor("Priya Natarajan", w.orgs["bytewave"], capacity=2)
    for kid in (east[0], east[1]):
        await s.run(
            m.ProposeMentorMatch(
                program_id=internship,
                student_id=kid,
                mentor_id=host,
            )
        )
    await s.run(
        m.ConfirmMentorMatch(program_id=internship, student_id=east[0]),
        actor=Actor(str(host), Role.MENTOR, person=host),
    )
    days = [
        # (student, program, days ago, hours, activity, supervisor's answer, school approves)
        (east[0], "internship", 20, "6", "Fixed flaky tests in the billing service", True, True),
        (east[0], "internship", 13, "6.5", "Paired on the mobile login screen", True, False),
        (east[0], "internship", 6, "4", "Wrote the release notes", None, False),
        (east[1], "internship", 20, "6", "Set up a dev environment", True, True),
        (east[1], "internship", 19, "8", "Shadowed the on-call engineer", False, False),
        (east[6], "biotech", 40, "5", "Prepared agar plates", True, True),
        (east[7], "biotech", 40, "5", "Ran a PCR under supervision", True, True),
    ]
    for student, program, days_ago, hours, activity, verified, approve in days:
        supervisor = "Priya Natarajan" if program == "internship" else "Dr. Owen Hale"
        logged = await s.run(
            hr.SubmitHours(
                student_id=student,
                program_id=w.programs[program],
                worked_on=s.today - timedelta(days=days_ago),
                hours=Decimal(hours),
                activity=activity,
                supervisor_name=supervisor,
                supervisor_email=f"{supervisor.rsplit(maxsplit=1)[-1].lower()}@example.org",
            )
        )
        if verified is None:
            continue
        await s.run(
            hr.VerifyHours(
                token=logged.token or "",
                supervisor_name=supervisor,
                verified=verified,
                reason="" if verified else "That was a company holiday",
            )
        )
        if approve:
            await s.run(hr.ApproveHours(log_id=logged.id))
