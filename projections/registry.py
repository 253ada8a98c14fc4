"""The read models this application runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.projections.achievements import Achievements
from bridgework.projections.attendance import Attendance
from bridgework.projections.directory import Directory
from bridgework.projections.enrolment import Enrolment
from bridgework.projections.hours import Hours
from bridgework.projections.impact import Demographics
from bridgework.projections.mentoring import Mentoring
from bridgework.projections.outcome import Outcome
from bridgework.projections.partnerships import Partnerships
from bridgework.projections.safeguarding import Safeguarding
from bridgework.projections.surveys import Surveys
from bridgework.projections.timeline import Timeline

if TYPE_CHECKING:
    from bridgework.projections.runner import Projection


def default_projections() -> list[Projection]:
    return [
        Directory(),
        Enrolment(),
        Outcome(),
        Partnerships(),
        Safeguarding(),
        Timeline(),
        Mentoring(),
        Attendance(),
        Achievements(),
        Hours(),
        Demographics(),
        Surveys(),
    ]
