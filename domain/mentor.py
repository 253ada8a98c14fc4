"""Mentors: volunteers and employees of partner organisations."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from bridgework.domain.base import BridgeworkAggregate
from bridgework.domain.errors import RuleViolated
from eventsourcing.domain import Aggregate, event


class Mentor(BridgeworkAggregate):
    """A volunteer or employee who mentors up to `capacity` students at once."""

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

    @event(MentorRegistered)
    def __init__(self, name: str, organisation_id: UUID, capacity: int) -> None:
        self.name = name
        self.organisation_id = organisation_id
        self.capacity = capacity
        self.mentees: set[tuple[UUID, UUID]] = set()

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

    def take_mentee(self, *, program_id: UUID, student_id: UUID, at: datetime) -> None:
        if (program_id, student_id) in self.mentees:
            return
        if len(self.mentees) >= self.capacity:
            raise RuleViolated(
                "MENTOR_AT_CAPACITY",
                f"{self.name} already mentors {len(self.mentees)} of {self.capacity} students",
            )
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
