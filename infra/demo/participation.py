"""The demo's participation chapter: club nights with attendance, credentials, pathways."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bridgework.domain.achievements import Pathway
from bridgework.domain.attendance import Attendance
from bridgework.services.achievements import RecordCredential, RecordPathway
from bridgework.services.attendance import Mark, RecordAttendance, ScheduleSession

if TYPE_CHECKING:
    from bridgework.infra.demo.script import Script, World


async def participation_chapter(s: Script, w: World) -> None:
    """Four robotics club nights (one student has missed the last three); credentials and
    pathways after the bootcamp and the biotech internship."""
    east, bootcamp, biotech = w.students["eastside"], w.programs["bootcamp"], w.programs["biotech"]
    for kid in east[0:5]:
        await s.run(
            RecordCredential(
                student_id=kid,
                program_id=bootcamp,
                name="AWS Cloud Practitioner",
                issuer="Amazon Web Services",
                earned_on=s.today - timedelta(days=4),
            )
        )
    for kid in east[6:9]:
        await s.run(
            RecordCredential(
                student_id=kid,
                program_id=biotech,
                name="Lab safety certificate",
                issuer="Helix Biotech",
                earned_on=s.today - timedelta(days=6),
            )
        )
    for kid, pathway, where in (
        (east[0], Pathway.INTERNSHIP_OFFER, "Bytewave Technologies"),
        (east[1], Pathway.INTERNSHIP_OFFER, "Bytewave Technologies"),
        (east[2], Pathway.COLLEGE_STEM, "State University School of Computing"),
    ):
        await s.run(
            RecordPathway(
                student_id=kid,
                program_id=bootcamp,
                pathway=pathway,
                organisation=where,
                on=s.today - timedelta(days=2),
            )
        )
    await s.run(
        RecordPathway(
            student_id=east[6],
            program_id=biotech,
            pathway=Pathway.APPRENTICESHIP,
            organisation="Helix Biotech",
            on=s.today - timedelta(days=1),
        )
    )

    robotics, kids = w.programs["robotics"], w.students["lincoln"]
    for n, days_ago in enumerate((28, 21, 14, 7)):
        session = (
            await s.run(
                ScheduleSession(
                    program_id=robotics,
                    held_on=s.today - timedelta(days=days_ago),
                    title=f"Club night {n + 1}",
                )
            )
        ).id
        away = Attendance.UNEXCUSED if n == 2 else Attendance.EXCUSED  # noqa: PLR2004
        marks = [
            Mark(student_id=kid, status=away if (kid == kids[4] and n > 0) else Attendance.PRESENT)
            for kid in (kids[0], kids[1], kids[2], kids[4])
        ]
        await s.run(
            RecordAttendance(
                program_id=robotics,
                session_id=session,
                marks=marks,
            )
        )
