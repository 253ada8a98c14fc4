"""Applications to a program: received, refused by its eligibility rules, accepted or denied."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from bridgework.domain.eligibility import Applicant, Eligibility
from bridgework.domain.enrolment import Enrolment
from bridgework.domain.errors import RuleViolated
from eventsourcing.domain import Aggregate, event


class Applications(Enrolment, Eligibility):
    """Applications to a program (a mixin of `Program`): an accepted one takes a seat or a
    place in line."""

    class ApplicationReceived(Aggregate.Event):
        student_id: UUID
        statement: str

    class ApplicationRefused(Aggregate.Event):
        """The eligibility rules leave the applicant out; kept so the refusal and its rule
        show in the views, not only in the reply."""

        student_id: UUID
        rule: str
        detail: str

    class ApplicationAccepted(Aggregate.Event):
        """Followed at once by a seat (`StudentEnrolled`) or a place in line
        (`StudentWaitlisted`)."""

        student_id: UUID

    class ApplicationDenied(Aggregate.Event):
        student_id: UUID
        reason: str

    def apply(
        self,
        *,
        student_id: UUID,
        student_name: str,
        statement: str,
        applicant: Applicant,
        at: datetime,
    ) -> RuleViolated | None:
        """Receive an application. One the eligibility rules leave out is refused at once
        and the refusal recorded; the broken rule is returned."""
        if student_id in self.applications:
            raise RuleViolated(
                "ALREADY_APPLIED",
                f"{student_name} already has an open application to '{self.name}'",
            )
        self._check_can_join(student_id, student_name, at)
        self._receive(student_id=student_id, statement=statement, timestamp=at)
        try:
            self.check_eligible(applicant)
        except RuleViolated as refused:
            self._refuse(
                student_id=student_id, rule=refused.rule, detail=refused.message, timestamp=at
            )
            return refused
        return None

    @event(ApplicationReceived)
    def _receive(self, student_id: UUID, statement: str, timestamp: datetime) -> None:
        self.applications.add(student_id)

    @event(ApplicationRefused)
    def _refuse(self, student_id: UUID, rule: str, detail: str, timestamp: datetime) -> None:
        self.applications.discard(student_id)

    def _open_application(self, student_id: UUID, student_name: str) -> None:
        if student_id not in self.applications:
            raise RuleViolated(
                "NO_OPEN_APPLICATION",
                f"{student_name} has no open application to '{self.name}'",
            )

    def accept(self, *, student_id: UUID, student_name: str, at: datetime) -> None:
        """Accept an open application: the student gets a seat, or a place in line."""
        self._open_application(student_id, student_name)
        self._accept(student_id=student_id, timestamp=at)
        self.enrol(student_id=student_id, student_name=student_name, at=at)

    @event(ApplicationAccepted)
    def _accept(self, student_id: UUID, timestamp: datetime) -> None:
        self.applications.discard(student_id)

    def deny(self, *, student_id: UUID, student_name: str, reason: str, at: datetime) -> None:
        self._open_application(student_id, student_name)
        self._deny(student_id=student_id, reason=reason, timestamp=at)

    @event(ApplicationDenied)
    def _deny(self, student_id: UUID, reason: str, timestamp: datetime) -> None:
        self.applications.discard(student_id)
