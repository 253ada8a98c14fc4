"""A day's hours as a student submits them, and the supervisor's answer through the link."""

from __future__ import annotations

from decimal import Decimal

from bridgework.services import hours as hr
from bridgework.services.context import Role
from support.context import as_person, coordinator
from support.scenario import TODAY


def hours_of(student, program, hours="3.5", **changes) -> hr.SubmitHours:
    return hr.SubmitHours(
        **{
            "student_id": student,
            "program_id": program,
            "worked_on": TODAY,
            "hours": Decimal(hours),
            "activity": "Soldered the drive train",
            "supervisor_name": "Dana Ortiz",
            "supervisor_email": "dana@ardent.example",
        }
        | changes
    )


async def submit(deps, student, program, hours="3.5", **changes):
    return await hr.submit_hours(
        deps, as_person(Role.STUDENT, student), hours_of(student, program, hours, **changes)
    )


async def answer(deps, token, verified=True, reason=""):
    cmd = hr.VerifyHours(
        token=token, supervisor_name="Dana Ortiz", verified=verified, reason=reason
    )
    return await hr.verify_hours(deps, coordinator(), cmd)  # whoever sends it, the link acts
