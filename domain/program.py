"""Programs: the internships, clubs, bootcamps… a partnership runs, and who is in them.

`Program` is one aggregate (one stream, one state, its events named `Program.…`) written
as a mixin per area, in the area's own domain module: `eligibility`, `applications`,
`enrolment`, `attendance`, `mentoring` and `outcomes` (showcases) hold each one's events
and decisions (see `base._adopt_concepts`).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from bridgework.domain.applications import Applications
from bridgework.domain.attendance import Sessions
from bridgework.domain.base import BridgeworkAggregate, day
from bridgework.domain.errors import RuleViolated
from bridgework.domain.mentoring import Mentoring
from bridgework.domain.outcomes import Showcases
from eventsourcing.domain import Aggregate, event


class ProgramKind(StrEnum):
    INTERNSHIP = "internship"
    MENTORSHIP = "mentorship"
    CLUB = "club"
    WORKSHOP = "workshop"
    BOOTCAMP = "bootcamp"
    CAREER_DAY = "career_day"
    FIELD_TRIP = "field_trip"
    PROFESSIONAL_DEVELOPMENT = "professional_development"


class Program(Applications, Sessions, Mentoring, Showcases, BridgeworkAggregate):
    """A program with a fixed number of seats and a first-come waitlist behind them."""

    STREAM = "program"

    class ProgramLaunched(Aggregate.Created):
        """v2 adds `organisation_ids`, the partnership's members when it launched (its scope);
        a v1 program has none, so only the deployment's own staff reach it."""

        class_version = 2
        partnership_id: UUID
        organisation_ids: tuple[UUID, ...]
        name: str
        kind: ProgramKind
        capacity: int
        starts_on: date
        ends_on: date

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> dict[str, Any]:
            state["organisation_ids"] = []
            return state

    @event(ProgramLaunched)
    def __init__(
        self,
        partnership_id: UUID,
        organisation_ids: tuple[UUID, ...],
        name: str,
        kind: ProgramKind,
        capacity: int,
        starts_on: date,
        ends_on: date,
    ) -> None:
        self.partnership_id = partnership_id
        self.organisation_ids = organisation_ids
        self.name = name
        self.kind = kind
        self.capacity = capacity
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.enrolled = []
        self.waitlist = []
        self.seated = set()
        self.waiting = set()
        self.applications = set()
        self.completed = set()
        self.mentor_of = {}
        self.proposed = {}
        self.showcase_ids = set()
        self.sessions = {}
        self.grades = (None, None)
        self.ages = (None, None)
        self.prerequisite_ids = ()

    @property
    def scope(self) -> tuple[UUID, ...]:
        return self.organisation_ids

    @classmethod
    def launch(
        cls,
        *,
        id: UUID,
        partnership_id: UUID,
        organisation_ids: tuple[UUID, ...],
        name: str,
        kind: ProgramKind,
        capacity: int,
        starts_on: date,
        ends_on: date,
        at: datetime,
    ) -> Program:
        if capacity < 1:
            raise RuleViolated("CAPACITY_TOO_SMALL", f"Program '{name}' needs at least one seat")
        if ends_on < starts_on:
            raise RuleViolated(
                "ENDS_BEFORE_IT_STARTS",
                f"Program '{name}' cannot end ({day(ends_on)}) before it starts ({day(starts_on)})",
            )
        return cls._create(
            cls.ProgramLaunched,
            id=id,
            partnership_id=partnership_id,
            organisation_ids=organisation_ids,
            name=name,
            kind=kind,
            capacity=capacity,
            starts_on=starts_on,
            ends_on=ends_on,
            timestamp=at,
        )
