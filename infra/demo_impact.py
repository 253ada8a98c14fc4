"""The demo's impact: metrics measured from hours, attendance and surveys, and the
demographics Eastside students chose to report, which the impact report breaks down by."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bridgework.domain.student import Demographic
from bridgework.services import commands as c
from bridgework.services import partnerships as ps
from bridgework.services import students as st
from bridgework.services.context import Actor, Role

if TYPE_CHECKING:
    from bridgework.infra.demo import Script, World

GENDERS = ("female", "male", "female", "female", "male", "nonbinary", "female", "male")


async def impact_chapter(s: Script, w: World) -> None:
    june = str(s.today + timedelta(days=200))
    for partnership, name, measure, target, extra in (
        ("biotech", "80% of interns more confident at the bench (measured)", "survey_improved",
         80, {"question": "confidence_lab_techniques", "unit": "%"}),
        ("bootcamp", "400 verified internship hours", "hours_verified", 400, {"unit": "hours"}),
        ("robotics", "90% attendance at club nights", "attendance_rate", 90, {"unit": "%"}),
    ):  # fmt: skip
        await s.run(ps.define_success_metric, c.parse(ps.DefineSuccessMetric, {
            "partnership_id": str(w.partnerships[partnership]), "name": name,
            "measure": measure, "target": str(target), "due_on": june, **extra,
        }))  # fmt: skip
    for i, kid in enumerate(w.students["eastside"][:14]):
        answers = [st.DemographicAnswer(field=Demographic.GENDER, value=GENDERS[i % 8])]
        if i % 3 != 2:  # noqa: PLR2004 - some leave it out
            answers.append(st.DemographicAnswer(
                field=Demographic.FIRST_GENERATION, value="yes" if i % 2 else "no"
            ))  # fmt: skip
        await s.run(
            st.report_demographics,
            st.ReportDemographics(student_id=kid, answers=answers),
            actor=Actor(str(kid), Role.STUDENT),
        )
