"""Students: who they are, what they tell about themselves, and (in concept mixins) their
guardians' consent, their achievements and their surveys.

`Student` is one aggregate (one stream, its events named `Student.…`) written as a mixin
per area, in the area's own domain module: `safeguarding`, `achievements` and `surveys`
hold each one's events and decisions (see `base._adopt_concepts`). What a student tells
about themselves (the impact area) is here.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from bridgework.domain.achievements import Achievements
from bridgework.domain.base import BridgeworkAggregate
from bridgework.domain.errors import RuleViolated
from bridgework.domain.personal import ERASED
from bridgework.domain.safeguarding import GuardianConsent
from bridgework.domain.surveys import Surveys
from eventsourcing.domain import Aggregate, event


class Demographic(StrEnum):
    """Optional, self-reported fields an impact report may break numbers down by."""

    GENDER = "gender"
    RACE_ETHNICITY = "race_ethnicity"
    FIRST_GENERATION = "first_generation"
    """First in their family to go to college."""
    LOW_INCOME = "low_income"
    DISABILITY = "disability"
    ENGLISH_LEARNER = "english_learner"


class Student(GuardianConsent, Achievements, Surveys, BridgeworkAggregate):
    """A student. One whose date of birth is not on record is treated as a minor."""

    STREAM = "student"

    class StudentRegistered(Aggregate.Created):
        """v2 adds `date_of_birth` (None for students registered before it was asked)."""

        class_version = 2
        name: str
        grade: int | None
        school_id: UUID | None
        date_of_birth: date | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> dict[str, Any]:
            state["date_of_birth"] = None
            return state

    @event(StudentRegistered)
    def __init__(
        self, name: str, grade: int | None, school_id: UUID | None, date_of_birth: date | None
    ) -> None:
        self.name = name
        self.grade = grade
        self.school_id = school_id
        self.date_of_birth = date_of_birth
        self.consents = {}
        self.relied = {}
        self.credentials = set()
        self.dated = {}
        self.erased = False

    @property
    def scope(self) -> tuple[UUID, ...]:
        """The student's school (a student registered at none: the deployment's own)."""
        return () if self.school_id is None else (self.school_id,)

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        name: str,
        grade: int | None,
        school_id: UUID | None,
        at: datetime,
        date_of_birth: date | None = None,
    ) -> Student:
        if date_of_birth is not None and date_of_birth >= at.date():
            raise RuleViolated("BORN_IN_THE_FUTURE", f"{name}'s date of birth must be before today")
        return cls._create(
            cls.StudentRegistered,
            id=id,
            name=name,
            grade=grade,
            school_id=school_id,
            date_of_birth=date_of_birth,
            timestamp=at,
        )

    class DemographicsReported(Aggregate.Event):
        """What the student chose to tell about themselves; it replaces any earlier report
        (an empty one withdraws them all). Only ever shown in groups of five or more."""

        answers: tuple[tuple[Demographic, str], ...]

    def report_demographics(
        self, *, answers: tuple[tuple[Demographic, str], ...], at: datetime
    ) -> None:
        self._report_demographics(answers=answers, timestamp=at)

    @event(DemographicsReported)
    def _report_demographics(
        self, answers: tuple[tuple[Demographic, str], ...], timestamp: datetime
    ) -> None:
        pass

    class StudentErased(Aggregate.Event):
        """The student's personal data is erased: their data keys are destroyed with this
        event, so every personal field of theirs in the log reads as its placeholder. It
        carries no personal data: the reason is the erasure's audit."""

        reason: str

    def erase(self, *, reason: str, at: datetime) -> None:
        if self.erased:
            raise RuleViolated("ALREADY_ERASED", "This student's personal data is already erased")
        if self.name.strip() and self.name.strip().lower() in reason.lower():
            raise RuleViolated(
                "REASON_NAMES_STUDENT",
                "The reason is kept after the erasure, so it must not name the student",
            )
        self._erase(reason=reason, timestamp=at)

    def not_erased(self) -> Student:
        """The student, or `RuleViolated` if their personal data is erased (no mail about
        them can be written any more)."""
        if self.erased:
            raise RuleViolated("STUDENT_ERASED", "This student's personal data is erased")
        return self

    @event(StudentErased)
    def _erase(self, reason: str, timestamp: datetime) -> None:
        # What the record holds in clear goes too: a cached or snapshotted copy read
        # before the erasure is scrubbed as it catches up with this event.
        self.name = ERASED
        self.date_of_birth = None
        self.erased = True
