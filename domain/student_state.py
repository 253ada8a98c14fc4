"""What a student's record knows, as its events leave it: the state every concept of
`Student` reads (safeguarding, achievements, surveys), set by `Student.__init__`."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from bridgework.domain.errors import RuleViolated

if TYPE_CHECKING:
    from bridgework.domain.surveys import EvaluationPhase, SurveyPhase


class StudentState:
    """The state of a student; the mixins of `Student` inherit it to know its shape."""

    name: str
    grade: int | None
    school_id: UUID | None
    date_of_birth: date | None
    consents: dict[UUID, UUID | None]
    """Consents in force: consent id → the program it covers (None: all)."""
    relied: dict[UUID, UUID]
    """Program → the consent its enrolment relied on."""
    credentials: set[tuple[str, UUID | None]]
    dated: dict[tuple[UUID, SurveyPhase | EvaluationPhase], date]
    """(program, phase) → the date of the survey or evaluation in force."""
    erased: bool
    """Their personal data is erased (`Student.erase`)."""


def not_after(what: str, on: date, at: datetime) -> None:
    if on > at.date():
        raise RuleViolated("DATE_IN_FUTURE", f"{what} cannot be dated after today")
