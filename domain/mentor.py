"""Mentors: volunteers and employees of partner organisations, with the students they mentor
and the meetings they log (their background checks are the `safeguarding` mixin)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from bridgework.domain.base import BridgeworkAggregate, day
from bridgework.domain.errors import RuleViolated
from bridgework.domain.safeguarding import Clearances
from eventsourcing.domain import Aggregate, event


class Mentor(Clearances, BridgeworkAggregate):
    """A volunteer or employee who mentors up to `capacity` students at once.

    Internship hosts (the supervisor at the business an intern works at) are registered as
    mentors too: they need the same clearance before they are matched with a student.
    """

    STREAM = "mentor"

    class MentorRegistered(Aggregate.Created):
        name: str
        organisation_id: UUID
        capacity: int

    class MenteeTaken(Aggregate.Event):
        program_id: UUID
        student_id: UUID

    class MenteeReleased(Aggregate.Event):
        program_id: UUID
        student_id: UUID

    class MeetingLogged(Aggregate.Event):
        program_id: UUID
        student_id: UUID
        met_on: date
        minutes: int
        notes: str

    @event(MentorRegistered)
    def __init__(self, name: str, organisation_id: UUID, capacity: int) -> None:
        self.name = name
        self.organisation_id = organisation_id
        self.capacity = capacity
        self.mentees: set[tuple[UUID, UUID]] = set()
        self.clearances = {}

    @property
    def scope(self) -> tuple[UUID, ...]:
        return (self.organisation_id,)

    @classmethod
    def register(
        cls, *, id: UUID, name: str, organisation_id: UUID, capacity: int, at: datetime
    ) -> Mentor:
        return cls._create(
            cls.MentorRegistered,
            id=id,
            name=name,
            organisation_id=organisation_id,
            capacity=capacity,
            timestamp=at,
        )

    # Mentees -----------------------------------------------------------------------------

    def require_room(self, on: date) -> None:
        """Refuse a new match unless the mentor is cleared on `on` and below capacity."""
        self.require_clearance(on)
        if len(self.mentees) >= self.capacity:
            raise RuleViolated(
                "MENTOR_AT_CAPACITY",
                f"{self.name} already mentors {len(self.mentees)} of {self.capacity} students",
            )

    def take_mentee(self, *, program_id: UUID, student_id: UUID, at: datetime) -> None:
        if (program_id, student_id) in self.mentees:
            return
        self.require_room(at.date())
        self._take_mentee(program_id=program_id, student_id=student_id, timestamp=at)

    @event(MenteeTaken)
    def _take_mentee(self, program_id: UUID, student_id: UUID, timestamp: datetime) -> None:
        self.mentees.add((program_id, student_id))

    def release_mentee(self, *, program_id: UUID, student_id: UUID, at: datetime) -> None:
        if (program_id, student_id) in self.mentees:
            self._release_mentee(program_id=program_id, student_id=student_id, timestamp=at)

    @event(MenteeReleased)
    def _release_mentee(self, program_id: UUID, student_id: UUID, timestamp: datetime) -> None:
        self.mentees.discard((program_id, student_id))

    def log_meeting(
        self,
        *,
        program_id: UUID,
        student_id: UUID,
        met_on: date,
        minutes: int,
        notes: str,
        at: datetime,
    ) -> None:
        """Record a meeting with a current mentee (a match with none for 30 days is flagged)."""
        if (program_id, student_id) not in self.mentees:
            raise RuleViolated(
                "NOT_A_MENTEE", f"{self.name} does not mentor that student in that program"
            )
        if met_on > at.date():
            raise RuleViolated(
                "MEETING_IN_FUTURE", f"A meeting cannot be logged before it happens ({day(met_on)})"
            )
        self._log_meeting(
            program_id=program_id,
            student_id=student_id,
            met_on=met_on,
            minutes=minutes,
            notes=notes,
            timestamp=at,
        )

    @event(MeetingLogged)
    def _log_meeting(
        self,
        program_id: UUID,
        student_id: UUID,
        met_on: date,
        minutes: int,
        notes: str,
        timestamp: datetime,
    ) -> None:
        pass
