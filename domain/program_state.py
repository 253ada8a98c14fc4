"""What a program knows, as its events leave it: the state every concept of `Program` reads.

`Program` is one aggregate written as concept mixins (eligibility, applications, enrolment,
attendance, mentoring, showcases); each reads and writes this state, which
`Program.__init__` sets when the program is launched.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID


class ProgramState:
    """The state of a program; the mixins of `Program` inherit it to know its shape."""

    if TYPE_CHECKING:

        @property
        def id(self) -> UUID: ...

    partnership_id: UUID
    organisation_ids: tuple[UUID, ...]
    name: str
    capacity: int
    starts_on: date
    ends_on: date
    enrolled: list[UUID]
    waitlist: list[UUID]
    seated: set[UUID]
    """The students of `enrolled`, as a set: a program may hold thousands, and every
    enrolment asks whether the student is one of them."""
    waiting: set[UUID]
    """The students of `waitlist`, as a set."""
    applications: set[UUID]
    completed: set[UUID]
    mentor_of: dict[UUID, UUID]
    proposed: dict[UUID, UUID]
    """Student → the mentor a match was proposed to, awaiting their answer."""
    showcase_ids: set[UUID]
    sessions: dict[UUID, date]
    grades: tuple[int | None, int | None]
    ages: tuple[int | None, int | None]
    prerequisite_ids: tuple[UUID, ...]
