"""The demo's applications chapter: a summer internship that students apply to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.services.applications import AcceptApplication, ApplyToProgram, DenyApplication
from bridgework.services.enrolment import SetEligibility

if TYPE_CHECKING:
    from bridgework.infra.demo.script import Script, World


async def applications_chapter(s: Script, w: World) -> None:
    """A summer internship at Bytewave for bootcamp graduates: two accepted into its seats, one
    onto the waitlist, one denied, one refused by the rules, one still to decide."""
    east = w.students["eastside"]
    internship = await s.program(
        w.partnerships["bootcamp"], "Bytewave Summer Internship", "internship", 2
    )
    w.programs["internship"] = internship
    await s.run(
        SetEligibility(
            program_id=internship,
            min_age=16,
            prerequisite_ids=[w.programs["bootcamp"]],
        )
    )
    for kid in (east[0], east[1], east[2], east[3], east[4], east[10]):
        await s.run(
            ApplyToProgram(
                program_id=internship,
                student_id=kid,
                statement="I want to build real software",
            )
        )
    for kid in (east[0], east[1], east[2]):
        cmd = AcceptApplication(program_id=internship, student_id=kid)
        await s.run(cmd)
    await s.run(
        DenyApplication(
            program_id=internship,
            student_id=east[3],
            reason="Missed both interview slots",
        )
    )
