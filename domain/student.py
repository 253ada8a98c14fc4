"""Students."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from bridgework.domain.base import BridgeworkAggregate
from eventsourcing.domain import Aggregate, event


class Student(BridgeworkAggregate):
    STREAM = "student"

    class StudentRegistered(Aggregate.Created):
        name: str
        grade: int | None
        school_id: UUID | None

    @event(StudentRegistered)
    def __init__(self, name: str, grade: int | None, school_id: UUID | None) -> None:
        self.name = name
        self.grade = grade
        self.school_id = school_id

    @classmethod
    def register(
        cls, *, id: UUID, name: str, grade: int | None, school_id: UUID | None, at: datetime
    ) -> Student:
        return cls._create(
            cls.StudentRegistered, id=id, name=name, grade=grade, school_id=school_id, timestamp=at
        )
