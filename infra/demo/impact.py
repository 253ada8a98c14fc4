"""The demo's impact: metrics measured from hours, attendance and surveys, and the
demographics Eastside students chose to report, which the impact report breaks down by."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bridgework.domain.student import Demographic
from bridgework.services import impact as st
from bridgework.services.command import parse
from bridgework.services.context import Actor, Role
from bridgework.services.partnerships import charter

if TYPE_CHECKING:
    from uuid import UUID

    from bridgework.infra.demo.script import Script, World

GENDERS = ("female", "male", "female", "female", "male", "nonbinary", "female", "male")


async def impact_chapter(s: Script, w: World) -> None:
    june = str(s.today + timedelta(days=200))
    for partnership, name, measure, target, extra in (
        (
            "biotech",
            "80% of interns more confident at the bench (measured)",
            "survey_improved",
            80,
            {"question": "confidence_lab_techniques", "unit": "%"},
        ),
        ("bootcamp", "400 verified internship hours", "hours_verified", 400, {"unit": "hours"}),
        ("robotics", "90% attendance at club nights", "attendance_rate", 90, {"unit": "%"}),
    ):
        await s.run(
            parse(
                charter.DefineSuccessMetric,
                {
                    "partnership_id": str(w.partnerships[partnership]),
                    "name": name,
                    "measure": measure,
                    "target": str(target),
                    "due_on": june,
                    **extra,
                },
            )
        )
    for i, kid in enumerate(w.students["eastside"][:14]):
        first_generation = None if i % 3 == 2 else "yes" if i % 2 else "no"  # noqa: PLR2004
        await _report(s, kid, GENDERS[i % 8], first_generation)
    # Ridgeview's solar club is big enough for its report to show groups (of five or more).
    for i, kid in enumerate(w.students["ridgeview"]):
        await _report(s, kid, "female" if i % 2 else "male", "yes" if i < 5 else "no")  # noqa: PLR2004


async def _report(s: Script, kid: UUID, gender: str, first_generation: str | None) -> None:
    """A student reports about themselves; some leave a field out."""
    answers = [st.DemographicAnswer(field=Demographic.GENDER, value=gender)]
    if first_generation is not None:
        answers.append(
            st.DemographicAnswer(field=Demographic.FIRST_GENERATION, value=first_generation)
        )
    await s.run(
        st.ReportDemographics(student_id=kid, answers=answers),
        actor=Actor(str(kid), Role.STUDENT, person=kid),
    )
