"""Safeguarding: a guardian's consent before a minor joins a program (and what rests on it),
and a mentor's background checks before they are matched with a student."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from bridgework.domain.base import day
from bridgework.domain.eligibility import age_on
from bridgework.domain.errors import RuleViolated
from bridgework.domain.student_state import StudentState
from eventsourcing.domain import Aggregate, event

ADULT_AGE = 18


class ClearanceResult(StrEnum):
    CLEAR = "clear"
    FLAGGED = "flagged"
    PENDING = "pending"


class GuardianConsent(StudentState):
    """Guardians' consents of a student (a mixin of `Student`). One whose date of birth is
    not on record is treated as a minor."""

    class GuardianConsentRecorded(Aggregate.Event):
        consent_id: UUID
        program_id: UUID | None
        """None: a standing consent, covering every program."""
        guardian_name: str
        relationship: str
        given_on: date

    class GuardianConsentWithdrawn(Aggregate.Event):
        consent_id: UUID
        reason: str

    class ConsentRelied(Aggregate.Event):
        """The student was enrolled in (or waitlisted for) a program on this consent."""

        consent_id: UUID
        program_id: UUID

    def age_on(self, on: date) -> int | None:
        return None if self.date_of_birth is None else age_on(self.date_of_birth, on)

    def needs_consent(self, on: date) -> bool:
        """Under 18 on `on`, or of unknown age."""
        age = self.age_on(on)
        return age is None or age < ADULT_AGE

    def consent_for(self, program_id: UUID) -> UUID | None:
        """The consent in force that covers `program_id`: its own before a standing one."""
        for only in (program_id, None):
            for consent_id, covered in self.consents.items():
                if covered == only:
                    return consent_id
        return None

    def record_consent(
        self,
        *,
        consent_id: UUID,
        program_id: UUID | None,
        guardian_name: str,
        relationship: str,
        given_on: date,
        at: datetime,
    ) -> None:
        if given_on > at.date():
            raise RuleViolated(
                "CONSENT_IN_FUTURE", "A guardian's consent cannot be dated after today"
            )
        self._record_consent(
            consent_id=consent_id,
            program_id=program_id,
            guardian_name=guardian_name,
            relationship=relationship,
            given_on=given_on,
            timestamp=at,
        )

    @event(GuardianConsentRecorded)
    def _record_consent(
        self,
        consent_id: UUID,
        program_id: UUID | None,
        guardian_name: str,
        relationship: str,
        given_on: date,
        timestamp: datetime,
    ) -> None:
        self.consents[consent_id] = program_id

    def rely_on_consent(self, program_id: UUID, at: datetime) -> None:
        """Note which consent a minor's enrolment rests on; refuse when there is none."""
        if not self.needs_consent(at.date()):
            return
        consent_id = self.consent_for(program_id)
        if consent_id is None:
            known = "is under 18" if self.date_of_birth else "has no date of birth on record"
            raise RuleViolated(
                "CONSENT_MISSING",
                f"{self.name} {known}: a guardian's consent for this program (or a standing "
                "consent) must be recorded first",
            )
        if self.relied.get(program_id) != consent_id:
            self._rely(consent_id=consent_id, program_id=program_id, timestamp=at)

    @event(ConsentRelied)
    def _rely(self, consent_id: UUID, program_id: UUID, timestamp: datetime) -> None:
        self.relied[program_id] = consent_id

    def withdraw_consent(self, *, consent_id: UUID, reason: str, at: datetime) -> list[UUID]:
        """Withdraw a consent; return the programs that relied on it and that no other
        consent in force covers: the student must leave them."""
        if consent_id not in self.consents:
            raise RuleViolated(
                "NO_SUCH_CONSENT", f"{self.name} has no consent {consent_id} in force"
            )
        relying = [p for p, c in self.relied.items() if c == consent_id]
        self._withdraw_consent(consent_id=consent_id, reason=reason, timestamp=at)
        leaving = []
        for program_id in relying:
            other = self.consent_for(program_id)
            if other is None:
                leaving.append(program_id)
            else:
                self._rely(consent_id=other, program_id=program_id, timestamp=at)
        return leaving

    @event(GuardianConsentWithdrawn)
    def _withdraw_consent(self, consent_id: UUID, reason: str, timestamp: datetime) -> None:
        self.consents.pop(consent_id, None)
        self.relied = {p: c for p, c in self.relied.items() if c != consent_id}


class Clearances:
    """Background checks of a mentor (a mixin of `Mentor`)."""

    name: str
    clearances: dict[str, tuple[ClearanceResult, date | None, date | None]]
    """Check type → (result, completed on, expires on) of its latest record."""

    class ClearanceRecorded(Aggregate.Event):
        """A background check's outcome. A later record of the same check type (a renewal,
        a result that came in) supersedes the earlier one."""

        clearance_id: UUID
        check_type: str
        provider: str
        result: ClearanceResult
        completed_on: date | None
        expires_on: date | None

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
