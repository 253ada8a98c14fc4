"""Mentors: volunteers and employees of partner organisations."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from bridgework.domain.base import BridgeworkAggregate, day
from bridgework.domain.errors import RuleViolated
from eventsourcing.domain import Aggregate, event


class ClearanceResult(StrEnum):
    CLEAR = "clear"
    FLAGGED = "flagged"
    PENDING = "pending"


class Mentor(BridgeworkAggregate):
    """A volunteer or employee who mentors up to `capacity` students at once.

    Internship hosts (the supervisor at the business an intern works at) are registered as
    mentors too: they need the same clearance before they are matched with a student.
    """

    STREAM = "mentor"

    class MentorRegistered(Aggregate.Created):
        name: str
        organisation_id: UUID
        capacity: int

    class ClearanceRecorded(Aggregate.Event):
        """A background check's outcome. A later record of the same check type (a renewal,
        a result that came in) supersedes the earlier one."""

        clearance_id: UUID
        check_type: str
        provider: str
        result: ClearanceResult
        completed_on: date | None
        expires_on: date | None

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
        self.clearances: dict[str, tuple[ClearanceResult, date | None, date | None]] = {}
        """Check type → (result, completed on, expires on) of its latest record."""

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

    # Clearances ---------------------------------------------------------------------------

    def record_clearance(
        self,
        *,
        clearance_id: UUID,
        check_type: str,
        provider: str,
        result: ClearanceResult,
        completed_on: date | None,
        expires_on: date | None,
        at: datetime,
    ) -> None:
        if result is not ClearanceResult.PENDING and completed_on is None:
            raise RuleViolated(
                "CLEARANCE_NEEDS_DATE", f"A {result} {check_type} check needs its completion date"
            )
        if completed_on is not None and completed_on > at.date():
            raise RuleViolated(
                "CLEARANCE_IN_FUTURE",
                f"A {check_type} check cannot be completed in the future ({day(completed_on)})",
            )
        if expires_on is not None and completed_on is not None and expires_on <= completed_on:
            raise RuleViolated(
                "CLEARANCE_EXPIRES_BEFORE_COMPLETION",
                f"A {check_type} check cannot expire ({day(expires_on)}) on or before it was "
                f"completed ({day(completed_on)})",
            )
        self._record_clearance(
            clearance_id=clearance_id,
            check_type=check_type,
            provider=provider,
            result=result,
            completed_on=completed_on,
            expires_on=expires_on,
            timestamp=at,
        )

    @event(ClearanceRecorded)
    def _record_clearance(
        self,
        clearance_id: UUID,
        check_type: str,
        provider: str,
        result: ClearanceResult,
        completed_on: date | None,
        expires_on: date | None,
        timestamp: datetime,
    ) -> None:
        self.clearances[check_type] = (result, completed_on, expires_on)

    def require_clearance(self, on: date) -> None:
        """Refuse unless every check on record is clear and unexpired on `on` (and there is
        at least one): a flagged or pending check, or an expired one, blocks new matches."""
        if not self.clearances:
            raise RuleViolated(
                "CLEARANCE_MISSING", f"{self.name} has no background check on record"
            )
        for check_type, (result, _, expires_on) in sorted(self.clearances.items()):
            if result is ClearanceResult.FLAGGED:
                raise RuleViolated(
                    "CLEARANCE_FLAGGED", f"{self.name}'s {check_type} check was flagged"
                )
            if result is ClearanceResult.PENDING:
                raise RuleViolated(
                    "CLEARANCE_PENDING", f"{self.name}'s {check_type} check is still pending"
                )
            if expires_on is not None and expires_on <= on:
                raise RuleViolated(
                    "CLEARANCE_EXPIRED",
                    f"{self.name}'s {check_type} check expired on {day(expires_on)}",
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
