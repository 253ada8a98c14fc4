"""Mentor matches in a program: proposed to a mentor, declined, assigned, closed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from bridgework.domain.errors import RuleViolated
from bridgework.domain.program_state import ProgramState
from eventsourcing.domain import Aggregate, event


class MatchClosure(StrEnum):
    """Why a mentor match ended."""

    GOALS_MET = "goals_met"
    MENTOR_MOVED = "mentor_moved"
    SCHEDULE = "schedule"
    MISMATCH = "mismatch"
    STUDENT_LEFT = "student_left"
    OTHER = "other"


class Mentoring(ProgramState):
    """Mentor matches of a program's students (a mixin of `Program`)."""

    class MentorMatchProposed(Aggregate.Event):
        """A match put to the mentor; it starts (`MentorAssigned`) once they confirm it."""

        student_id: UUID
        mentor_id: UUID

    class MentorMatchDeclined(Aggregate.Event):
        student_id: UUID
        mentor_id: UUID
        reason: str

    class MentorAssigned(Aggregate.Event):
        """The match is active: assigned at once, or a proposal confirmed."""

        student_id: UUID
        mentor_id: UUID

    class MentorMatchClosed(Aggregate.Event):
        """A match ended before the student left or completed (who leaves closes their
        match as `student_left`; who completes, as `goals_met`)."""

        student_id: UUID
        mentor_id: UUID
        reason: MatchClosure
        note: str

    def _check_matchable(
        self, student_id: UUID, student_name: str, mentor_id: UUID, mentor_name: str
    ) -> None:
        if student_id not in self.seated:
            raise RuleViolated(
                "NOT_ENROLLED",
                f"{student_name} is not enrolled in '{self.name}', so cannot be given a mentor",
            )
        if self.mentor_of.get(student_id) == mentor_id:
            raise RuleViolated(
                "MENTOR_ALREADY_ASSIGNED",
                f"{mentor_name} already mentors {student_name} in '{self.name}'",
            )
        if student_id in self.mentor_of:
            raise RuleViolated(
                "STUDENT_HAS_MENTOR", f"{student_name} already has a mentor in '{self.name}'"
            )

    def assign_mentor(
        self,
        *,
        student_id: UUID,
        student_name: str,
        mentor_id: UUID,
        mentor_name: str,
        at: datetime,
    ) -> None:
        """Match at once (a proposal to someone else for the student lapses)."""
        self._check_matchable(student_id, student_name, mentor_id, mentor_name)
        self._assign_mentor(student_id=student_id, mentor_id=mentor_id, timestamp=at)

    @event(MentorAssigned)
    def _assign_mentor(self, student_id: UUID, mentor_id: UUID, timestamp: datetime) -> None:
        self.proposed.pop(student_id, None)
        self.mentor_of[student_id] = mentor_id

    def propose_match(
        self,
        *,
        student_id: UUID,
        student_name: str,
        mentor_id: UUID,
        mentor_name: str,
        at: datetime,
    ) -> None:
        """Put a match to a mentor; one open proposal per student."""
        self._check_matchable(student_id, student_name, mentor_id, mentor_name)
        if student_id in self.proposed:
            raise RuleViolated(
                "MATCH_ALREADY_PROPOSED",
                f"A match for {student_name} in '{self.name}' already awaits a mentor's answer",
            )
        self._propose(student_id=student_id, mentor_id=mentor_id, timestamp=at)

    @event(MentorMatchProposed)
    def _propose(self, student_id: UUID, mentor_id: UUID, timestamp: datetime) -> None:
        self.proposed[student_id] = mentor_id

    def proposal_for(self, student_id: UUID, student_name: str) -> UUID:
        """The mentor a student's open proposal went to."""
        if student_id not in self.proposed:
            raise RuleViolated(
                "NO_PROPOSED_MATCH", f"No match for {student_name} in '{self.name}' is proposed"
            )
        return self.proposed[student_id]

    def decline_match(
        self, *, student_id: UUID, student_name: str, reason: str, at: datetime
    ) -> None:
        mentor_id = self.proposal_for(student_id, student_name)
        self._decline_match(student_id=student_id, mentor_id=mentor_id, reason=reason, timestamp=at)

    @event(MentorMatchDeclined)
    def _decline_match(
        self, student_id: UUID, mentor_id: UUID, reason: str, timestamp: datetime
    ) -> None:
        self.proposed.pop(student_id, None)

    def close_match(
        self, *, student_id: UUID, student_name: str, reason: MatchClosure, note: str, at: datetime
    ) -> UUID:
        """End a student's mentor match; return the mentor, whose place it frees."""
        mentor_id = self.mentor_of.get(student_id)
        if mentor_id is None:
            raise RuleViolated(
                "NO_MENTOR_MATCH", f"{student_name} has no mentor in '{self.name}' to part from"
            )
        self._close_match(
            student_id=student_id, mentor_id=mentor_id, reason=reason, note=note, timestamp=at
        )
        return mentor_id

    @event(MentorMatchClosed)
    def _close_match(
        self,
        student_id: UUID,
        mentor_id: UUID,
        reason: MatchClosure,
        note: str,
        timestamp: datetime,
    ) -> None:
        self.mentor_of.pop(student_id, None)
