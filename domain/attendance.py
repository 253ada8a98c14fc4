"""A program's sessions and who attended them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from bridgework.domain.base import day
from bridgework.domain.errors import RuleViolated
from bridgework.domain.program_state import ProgramState
from eventsourcing.domain import Aggregate, event


class Attendance(StrEnum):
    PRESENT = "present"
    EXCUSED = "excused"
    UNEXCUSED = "unexcused"


class Sessions(ProgramState):
    """Sessions and attendance of a program (a mixin of `Program`)."""

    class SessionScheduled(Aggregate.Event):
        session_id: UUID
        held_on: date
        title: str

    class AttendanceRecorded(Aggregate.Event):
        """Who was there at a session. A later record for the same student and session
        corrects the earlier one; both stay in the log."""

        session_id: UUID
        held_on: date
        marks: tuple[tuple[UUID, Attendance], ...]

    def schedule_session(
        self, *, session_id: UUID, held_on: date, title: str, at: datetime
    ) -> None:
        if not self.starts_on <= held_on <= self.ends_on:
            raise RuleViolated(
                "SESSION_OUTSIDE_PROGRAM",
                f"'{self.name}' runs from {day(self.starts_on)} to {day(self.ends_on)}; a "
                f"session on {day(held_on)} is outside it",
            )
        self._schedule(session_id=session_id, held_on=held_on, title=title, timestamp=at)

    @event(SessionScheduled)
    def _schedule(self, session_id: UUID, held_on: date, title: str, timestamp: datetime) -> None:
        self.sessions[session_id] = held_on

    def record_attendance(
        self, *, session_id: UUID, marks: tuple[tuple[UUID, Attendance], ...], at: datetime
    ) -> None:
        """Mark who came to a session: students enrolled in (or done with) the program."""
        if session_id not in self.sessions:
            raise RuleViolated("UNKNOWN_SESSION", f"'{self.name}' has no session {session_id}")
        held_on = self.sessions[session_id]
        if held_on > at.date():
            raise RuleViolated(
                "SESSION_NOT_HELD_YET",
                f"The session on {day(held_on)} has not happened yet",
            )
        outsiders = [s for s, _ in marks if s not in self.seated and s not in self.completed]
        if outsiders:
            raise RuleViolated(
                "NOT_ENROLLED",
                f"{len(outsiders)} of the students marked are not in '{self.name}'",
            )
        self._attend(session_id=session_id, held_on=held_on, marks=marks, timestamp=at)

    @event(AttendanceRecorded)
    def _attend(
        self,
        session_id: UUID,
        held_on: date,
        marks: tuple[tuple[UUID, Attendance], ...],
        timestamp: datetime,
    ) -> None:
        pass
