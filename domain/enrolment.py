"""A program's seats and the first-come waitlist behind them: enrol, withdraw, complete."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from bridgework.domain.base import day, ordinal
from bridgework.domain.errors import RuleViolated
from bridgework.domain.program_state import ProgramState
from eventsourcing.domain import Aggregate, event


class Enrolment(ProgramState):
    """Seats and the waitlist of a program (a mixin of `Program`)."""

    class StudentEnrolled(Aggregate.Event):
        student_id: UUID

    class StudentWaitlisted(Aggregate.Event):
        student_id: UUID

    class StudentWithdrawn(Aggregate.Event):
        student_id: UUID
        reason: str

    class StudentPromotedFromWaitlist(Aggregate.Event):
        student_id: UUID

    class EnrolmentCompleted(Aggregate.Event):
        student_id: UUID

    @property
    def is_full(self) -> bool:
        return len(self.enrolled) >= self.capacity

    def _check_can_join(self, student_id: UUID, student_name: str, at: datetime) -> None:
        if student_id in self.seated:
            raise RuleViolated(
                "ALREADY_ENROLLED", f"{student_name} is already enrolled in '{self.name}'"
            )
        if student_id in self.waiting:
            place = ordinal(self.waitlist.index(student_id) + 1)
            raise RuleViolated(
                "ALREADY_WAITLISTED",
                f"{student_name} is already {place} on the waitlist for '{self.name}'",
            )
        if student_id in self.completed:
            raise RuleViolated(
                "ALREADY_COMPLETED", f"{student_name} has already completed '{self.name}'"
            )
        if at.date() > self.ends_on:
            raise RuleViolated(
                "PROGRAM_ENDED",
                f"'{self.name}' ended on {day(self.ends_on)} and takes no more enrolments",
            )

    def enrol(self, *, student_id: UUID, student_name: str, at: datetime) -> None:
        """Enrol a student, or put them at the back of the waitlist when every seat is taken.
        Enrolling a student with an open application settles it."""
        self._check_can_join(student_id, student_name, at)
        if self.is_full:
            self._waitlist(student_id=student_id, timestamp=at)
        else:
            self._enrol(student_id=student_id, timestamp=at)

    def waitlist_notice(self, student_id: UUID, student_name: str) -> str:
        """What a coordinator is told when a student lands on the waitlist."""
        place = ordinal(self.waitlist.index(student_id) + 1)
        return (
            f"Program '{self.name}' is full: {len(self.enrolled)} of {self.capacity} seats taken; "
            f"{student_name} is {place} on the waitlist"
        )

    def holds_place(self, student_id: UUID) -> bool:
        """Enrolled or waitlisted."""
        return student_id in self.seated or student_id in self.waiting

    def require_participant(self, student_id: UUID, student_name: str) -> None:
        """Refuse a record about the program (hours, a credential…) for a student who has
        not held a seat in it."""
        if student_id not in self.seated and student_id not in self.completed:
            raise RuleViolated(
                "NOT_IN_PROGRAM", f"{student_name} has not taken part in '{self.name}'"
            )

    def waitlist_place(self, student_id: UUID) -> int | None:
        return self.waitlist.index(student_id) + 1 if student_id in self.waiting else None

    @event(StudentEnrolled)
    def _enrol(self, student_id: UUID, timestamp: datetime) -> None:
        self.applications.discard(student_id)
        self.enrolled.append(student_id)
        self.seated.add(student_id)

    @event(StudentWaitlisted)
    def _waitlist(self, student_id: UUID, timestamp: datetime) -> None:
        self.applications.discard(student_id)
        self.waitlist.append(student_id)
        self.waiting.add(student_id)

    def withdraw(self, *, student_id: UUID, student_name: str, reason: str, at: datetime) -> None:
        """Withdraw an enrolled, waitlisted or applying student; a freed seat goes to the first
        in line."""
        if not self.holds_place(student_id) and student_id not in self.applications:
            raise RuleViolated(
                "NOT_ENROLLED",
                f"{student_name} is neither enrolled in, waitlisted for nor applying to "
                f"'{self.name}'",
            )
        self._withdraw(student_id=student_id, reason=reason, timestamp=at)
        self._fill_freed_seat(at)

    def _fill_freed_seat(self, at: datetime) -> None:
        """No one waits while a seat is free: it goes to the first student in line."""
        if self.waitlist and not self.is_full:
            self._promote(student_id=self.waitlist[0], timestamp=at)

    @event(StudentWithdrawn)
    def _withdraw(self, student_id: UUID, reason: str, timestamp: datetime) -> None:
        if student_id in self.seated:
            self.enrolled.remove(student_id)
            self.seated.discard(student_id)
        elif student_id in self.waiting:
            self.waitlist.remove(student_id)
            self.waiting.discard(student_id)
        self.applications.discard(student_id)
        self.mentor_of.pop(student_id, None)
        self.proposed.pop(student_id, None)

    @event(StudentPromotedFromWaitlist)
    def _promote(self, student_id: UUID, timestamp: datetime) -> None:
        self.waitlist.remove(student_id)
        self.waiting.discard(student_id)
        self.enrolled.append(student_id)
        self.seated.add(student_id)

    def complete(self, *, student_id: UUID, student_name: str, at: datetime) -> None:
        """Mark an enrolled student's program done; their seat goes to the first in line."""
        if student_id in self.completed:
            raise RuleViolated(
                "ALREADY_COMPLETED", f"{student_name} has already completed '{self.name}'"
            )
        if student_id not in self.seated:
            raise RuleViolated(
                "NOT_ENROLLED",
                f"{student_name} is not enrolled in '{self.name}', so cannot complete it",
            )
        self._complete(student_id=student_id, timestamp=at)
        self._fill_freed_seat(at)

    @event(EnrolmentCompleted)
    def _complete(self, student_id: UUID, timestamp: datetime) -> None:
        self.enrolled.remove(student_id)
        self.seated.discard(student_id)
        self.completed.add(student_id)
        self.proposed.pop(student_id, None)
