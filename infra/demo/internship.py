"""The demo's internships: Bytewave's host is proposed to the summer interns (one confirmed,
one awaiting her answer); interns log days at Bytewave and Helix; supervisors answer through
their links; the school approves some. One entry still waits for its supervisor, one for
the school."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import msgspec
from bridgework.services import hours as hr
from bridgework.services.context import Actor, Role
from bridgework.services.mentoring import ConfirmMentorMatch, ProposeMentorMatch

if TYPE_CHECKING:
    from bridgework.infra.demo.script import Script, World
    from bridgework.services.unit_of_work import CommandResult


async def submit(s: Script, cmd: hr.SubmitHours) -> tuple[CommandResult, str]:
    """Submit the hours and return the mailed link's token too. The demo answers through
    the link at once, and a second load replays each step under its key, so the link's
    secret comes from the deployment's key and the step, not from chance."""
    step = f"bridgework.demo-link:{s.step + 1}".encode()
    mac = hmac.new(s.deps.secret_key.encode(), step, hashlib.sha256).digest()
    secret = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    deps = s.deps
    s.deps = msgspec.structs.replace(deps, new_token=lambda: secret)
    try:
        logged = await s.run(cmd)
    finally:
        s.deps = deps
    return logged, hr.link_token(logged.id, secret)


async def internship_chapter(s: Script, w: World) -> None:
    east, internship = w.students["eastside"], w.programs["internship"]
    host = await s.mentor("Priya Natarajan", w.orgs["bytewave"], capacity=2)
    for kid in (east[0], east[1]):
        await s.run(
            ProposeMentorMatch(
                program_id=internship,
                student_id=kid,
                mentor_id=host,
            )
        )
    await s.run(
        ConfirmMentorMatch(program_id=internship, student_id=east[0]),
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
        logged, token = await submit(
            s,
            hr.SubmitHours(
                student_id=student,
                program_id=w.programs[program],
                worked_on=s.today - timedelta(days=days_ago),
                hours=Decimal(hours),
                activity=activity,
                supervisor_name=supervisor,
                supervisor_email=f"{supervisor.rsplit(maxsplit=1)[-1].lower()}@example.org",
            ),
        )
        if verified is None:
            continue
        await s.run(
            hr.VerifyHours(
                token=token,
                supervisor_name=supervisor,
                verified=verified,
                reason="" if verified else "That was a company holiday",
            )
        )
        if approve:
            await s.run(hr.ApproveHours(log_id=logged.id))
