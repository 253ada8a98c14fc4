"""Demo chapter: the partnerships' charters, liaisons, contributions and check-ins, and a
partnership's life beyond the opening (one suspended and resumed, one renewed, one proposed)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bridgework.services.command import parse
from bridgework.services.partnerships import charter, collaboration, lifecycle

if TYPE_CHECKING:
    from uuid import UUID

    from bridgework.infra.demo.script import Script, World


async def partnerships_chapter(s: Script, w: World) -> None:
    """Charters with metrics tied to the goals the partners wrote down, and the rest."""
    today = s.today
    o, p = w.orgs, w.partnerships

    async def run(command_type: type[Any], partnership: UUID, **data: Any) -> UUID:
        cmd = parse(command_type, {"partnership_id": str(partnership), **data})
        return (await s.run(cmd)).id

    async def metric(partnership: UUID, name: str, measure: str, target: int, **data: Any) -> UUID:
        return await run(
            charter.DefineSuccessMetric,
            partnership,
            name=name,
            measure=measure,
            target=str(target),
            **data,
        )

    async def role(partnership: UUID, org: UUID, role: str, *commitments: str) -> None:
        await run(
            charter.SetPartnerRole,
            partnership,
            organization_id=str(org),
            role=role,
            commitments=list(commitments),
        )

    async def liaison(partnership: UUID, org: UUID, name: str, title: str, email: str) -> UUID:
        return await run(
            collaboration.AppointLiaison,
            partnership,
            organization_id=str(org),
            name=name,
            title=title,
            email=email,
        )

    async def give(
        partnership: UUID, org: UUID, kind: str, what: str, days_ago: int, **amount: str
    ) -> None:
        await run(
            collaboration.RecordContribution,
            partnership,
            organization_id=str(org),
            kind=kind,
            description=what,
            contributed_on=str(today - timedelta(days=days_ago)),
            **amount,
        )

    june = str(today + timedelta(days=200))

    # Robotics: the enrolment goal (+40% on last year's 6) and a mentor for every student.
    robotics = p["robotics"]
    await role(robotics, o["lincoln"], "Host school", "Lab space two evenings a week")
    await role(robotics, o["ardent"], "Mentor provider", "Three engineers every club night")
    await role(robotics, o["district"], "Sponsor", "Transport for showcases")
    await metric(
        robotics,
        "Robotics club enrolment +40% by June",
        "enrolments",
        9,
        baseline="6",
        unit="students",
        due_on=june,
    )
    await metric(
        robotics,
        "Every student paired with an engineer",
        "students_mentored",
        8,
        unit="students",
        due_on=june,
    )
    await liaison(
        robotics, o["lincoln"], "Maria Gomez", "STEM coordinator", "m.gomez@lincoln.example"
    )
    moved = await liaison(
        robotics, o["ardent"], "Tom Becker", "Outreach lead", "tom.becker@ardent.example"
    )
    await run(
        collaboration.StandDownLiaison,
        robotics,
        liaison_id=str(moved),
        reason="Moved to Ardent's Denver office",
    )
    await liaison(robotics, o["ardent"], "Priya Shah", "Outreach lead", "p.shah@ardent.example")
    await give(
        robotics,
        o["ardent"],
        "funding",
        "Robot kits and competition fees",
        70,
        value="12500.00",
        currency="USD",
    )
    await give(robotics, o["ardent"], "volunteer_hours", "Engineers at club nights", 5, hours="96")
    await give(
        robotics, o["district"], "equipment", "Two 3D printers", 60, value="3200.00", currency="USD"
    )
    await run(
        collaboration.RecordCheckIn,
        robotics,
        held_on=str(today - timedelta(days=14)),
        attendees=["Maria Gomez", "Priya Shah", "Dr. Lee (district)"],
        notes="Mid-year review: enrolment up, two students waiting for a seat.",
        decisions=["Open a second club night in spring"],
        follow_ups=[
            {
                "action": "Book the lab for Thursdays",
                "owner": "Maria Gomez",
                "due_on": str(today + timedelta(days=14)),
            },
            {"action": "Recruit two more mentors", "owner": "Priya Shah"},
        ],
    )

    # Solar: a goal measured by hand, and a suspension over a safety review.
    solar = p["solar"]
    await role(solar, o["sunspark"], "Technical partner", "Panels at cost", "Installer training")
    await metric(
        solar,
        "20 students trained in renewable basics",
        "completions",
        20,
        unit="students",
        due_on=june,
    )
    array = await metric(solar, "Solar array on campus (% built)", "manual", 100, unit="%")
    await run(
        charter.RecordMetricValue,
        solar,
        metric_id=str(array),
        value="40",
        recorded_for=str(today - timedelta(days=30)),
        note="Mounting frame installed",
    )
    await run(
        charter.RecordMetricValue,
        solar,
        metric_id=str(array),
        value="65",
        recorded_for=str(today - timedelta(days=3)),
        note="Panels on the roof",
    )
    await give(
        solar,
        o["sunspark"],
        "equipment",
        "Twelve 400 W panels",
        40,
        value="4800.00",
        currency="USD",
    )
    await give(
        solar,
        o["green"],
        "funding",
        "Environmental education grant",
        90,
        value="5000.00",
        currency="USD",
    )
    await liaison(solar, o["sunspark"], "Jonas Weber", "Field engineer", "jonas@sunspark.example")
    await run(
        lifecycle.SuspendPartnership,
        solar,
        reason="Roof safety review before installation continues",
    )
    await run(lifecycle.ActivatePartnership, solar, reason="Safety review passed")

    # Coding pathways: placements, completion, and a renewal for next year.
    bootcamp = p["bootcamp"]
    await metric(bootcamp, "80% bootcamp completion", "completion_rate", 80, unit="%", due_on=june)
    await metric(
        bootcamp, "20 internship placements", "placements", 20, unit="students", due_on=june
    )
    await give(
        bootcamp,
        o["bytewave"],
        "software",
        "Cloud credits and IDE licences",
        50,
        value="8000.00",
        currency="USD",
    )
    await give(
        bootcamp,
        o["state_u"],
        "space",
        "Computer lab on Saturdays",
        75,
        value="2500.00",
        currency="USD",
    )
    await run(
        lifecycle.RenewPartnership,
        bootcamp,
        term_starts_on=str(today + timedelta(days=30)),
        term_ends_on=str(today + timedelta(days=395)),
        reason="Both boards approved a second year",
    )

    # Biotech: confidence measured by the partners' own survey.
    biotech = p["biotech"]
    confident = await metric(
        biotech,
        "80% of interns more confident in lab techniques",
        "manual",
        80,
        unit="%",
        due_on=june,
    )
    await run(
        charter.RecordMetricValue,
        biotech,
        metric_id=str(confident),
        value="75",
        recorded_for=str(today - timedelta(days=7)),
        note="Helix post-internship survey, 4 interns",
    )
    await run(
        collaboration.RecordCheckIn,
        biotech,
        held_on=str(today - timedelta(days=7)),
        attendees=["Dr. Amina Yusuf", "Eastside science department"],
        notes="Interns presented posters; supervisors asked for a longer placement.",
        decisions=["Extend next year's placement to eight weeks"],
    )

    # A new partnership still being negotiated.
    await s.run(
        lifecycle.FormPartnership(
            name="Valley Health Careers Day",
            organization_ids=[o["district"], o["helix"]],
            goals=["Every grade 10 student meets a health professional"],
            proposed=True,
        )
    )
