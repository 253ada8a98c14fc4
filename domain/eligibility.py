"""Who may join a program: a grade band, an age range on its start date, and programs a
student must have completed first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from bridgework.domain.errors import RuleViolated
from bridgework.domain.program_state import ProgramState
from eventsourcing.domain import Aggregate, event


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass(frozen=True)
class Applicant:
    """What a program's eligibility rules look at: built by the handler from the student
    and the programs they completed."""

    name: str
    grade: int | None
    date_of_birth: date | None
    completed: frozenset[UUID]


class Eligibility(ProgramState):
    """The eligibility rules of a program (a mixin of `Program`)."""

    class EligibilitySet(Aggregate.Event):
        """Who may join: a grade band, an age range on the start date, and programs a
        student must have completed first. Each set replaces the one before."""

        min_grade: int | None
        max_grade: int | None
        min_age: int | None
        max_age: int | None
        prerequisite_ids: tuple[UUID, ...]

    def set_eligibility(
        self,
        *,
        min_grade: int | None,
        max_grade: int | None,
        min_age: int | None,
        max_age: int | None,
        prerequisite_ids: tuple[UUID, ...],
        at: datetime,
    ) -> None:
        if self.id in prerequisite_ids:
            raise RuleViolated(
                "PREREQUISITE_IS_ITSELF", f"'{self.name}' cannot be its own prerequisite"
            )
        self._set_eligibility(
            min_grade=min_grade,
            max_grade=max_grade,
            min_age=min_age,
            max_age=max_age,
            prerequisite_ids=prerequisite_ids,
            timestamp=at,
        )

    @event(EligibilitySet)
    def _set_eligibility(
        self,
        min_grade: int | None,
        max_grade: int | None,
        min_age: int | None,
        max_age: int | None,
        prerequisite_ids: tuple[UUID, ...],
        timestamp: datetime,
    ) -> None:
        self.grades = (min_grade, max_grade)
        self.ages = (min_age, max_age)
        self.prerequisite_ids = prerequisite_ids

    def check_eligible(self, applicant: Applicant) -> None:
        """Refuse a student the rules leave out, naming the rule."""
        low, high = self.grades
        who = applicant.name
        if (low is not None or high is not None) and not _within(applicant.grade, low, high):
            raise RuleViolated(
                "GRADE_OUT_OF_BAND",
                f"'{self.name}' is for grades {_band(low, high)}; {who} is "
                + (
                    "of no recorded grade"
                    if applicant.grade is None
                    else f"in grade {applicant.grade}"
                ),
            )
        low, high = self.ages
        ages = f"'{self.name}' is for ages {_band(low, high)}"
        if low is not None or high is not None:
            if applicant.date_of_birth is None:
                raise RuleViolated("AGE_UNKNOWN", f"{ages}; {who} has no date of birth on record")
            age = age_on(applicant.date_of_birth, self.starts_on)
            if low is not None and age < low:
                raise RuleViolated("TOO_YOUNG", f"{ages}; {who} will be {age} when it starts")
            if high is not None and age > high:
                raise RuleViolated("TOO_OLD", f"{ages}; {who} will be {age} when it starts")
        missing = [p for p in self.prerequisite_ids if p not in applicant.completed]
        if missing:
            raise RuleViolated(
                "PREREQUISITE_MISSING",
                f"{who} must first complete {len(missing)} prerequisite program(s) "
                f"of '{self.name}'",
            )


def _within(value: int | None, low: int | None, high: int | None) -> bool:
    return value is not None and (low is None or value >= low) and (high is None or value <= high)


def _band(low: int | None, high: int | None) -> str:
    if low is None:
        return f"up to {high}"
    return f"{low} and up" if high is None else f"{low} to {high}"
