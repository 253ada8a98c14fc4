"""Hours logs: a student's hours at a placement, verified by the outside supervisor through a
link mailed to them (no account needed) and then approved by the school.

submitted → verified | declined (reason) ; verified → approved | rejected (reason)

Each entry is a stream of its own, so a supervisor's click never contends with anything.
A link is a fact in the log: its issue number, the hash of its secret (never the secret),
the address it was sent to and its expiry. A new link supersedes the old one, and a used
link cannot be used again.
"""

from __future__ import annotations

import hmac
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from bridgework.domain.base import BridgeworkAggregate, day
from bridgework.domain.errors import RuleViolated
from eventsourcing.domain import Aggregate, event


class HoursStatus(StrEnum):
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    DECLINED = "declined"
    APPROVED = "approved"
    REJECTED = "rejected"


MAX_HOURS_A_DAY = Decimal(24)


class HoursLog(BridgeworkAggregate):
    """One entry of a student's hours: a day's work at a placement."""

    STREAM = "hours"

    class HoursSubmitted(Aggregate.Created):
        """v2 adds `organisation_ids`: the student's school and the program's partners (the
        entry's scope); a v1 entry has none, so only the deployment's own staff reach it."""

        class_version = 2
        student_id: UUID
        program_id: UUID
        organisation_ids: tuple[UUID, ...]
        worked_on: date
        hours: Decimal
        activity: str
        supervisor_name: str
        supervisor_email: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> dict[str, Any]:
            state["organisation_ids"] = []
            return state

    class VerificationLinkIssued(Aggregate.Event):
        """A link for the supervisor; it supersedes every earlier one for this entry.

        v2 adds the hash of the link's secret and the address it was mailed to; a v1 link
        (a signed token) has no hash, so it no longer works: the remedy is a new link."""

        class_version = 2
        issue: int
        expires_at: datetime
        token_hash: str
        sent_to: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> dict[str, Any]:
            state["token_hash"] = ""
            state["sent_to"] = ""
            return state

    # The answers name the student too, so a timeline can place them without state.

    class HoursVerified(Aggregate.Event):
        student_id: UUID
        issue: int
        supervisor_name: str

    class HoursDeclined(Aggregate.Event):
        student_id: UUID
        issue: int
        supervisor_name: str
        reason: str

    class HoursApproved(Aggregate.Event):
        student_id: UUID
        note: str

    class HoursRejected(Aggregate.Event):
        student_id: UUID
        reason: str

    @event(HoursSubmitted)
    def __init__(
        self,
        student_id: UUID,
        program_id: UUID,
        organisation_ids: tuple[UUID, ...],
        worked_on: date,
        hours: Decimal,
        activity: str,
        supervisor_name: str,
        supervisor_email: str,
    ) -> None:
        self.student_id = student_id
        self.program_id = program_id
        self.organisation_ids = organisation_ids
        self.worked_on = worked_on
        self.hours = hours
        self.activity = activity
        self.supervisor_name = supervisor_name
        self.supervisor_email = supervisor_email
        self.status = HoursStatus.SUBMITTED
        self.issue = 0
        self.link_expires_at: datetime | None = None
        self.link_hash = ""
        self.old_link_hashes: frozenset[str] = frozenset()
        self.decided_at: datetime | None = None

    @property
    def scope(self) -> tuple[UUID, ...]:
        return self.organisation_ids

    @classmethod
    def submit(
        cls,
        *,
        id: UUID,
        student_id: UUID,
        program_id: UUID,
        organisation_ids: tuple[UUID, ...],
        program_runs: tuple[date, date],
        worked_on: date,
        hours: Decimal,
        activity: str,
        supervisor_name: str,
        supervisor_email: str,
        link_hash: str,
        link_expires_at: datetime,
        at: datetime,
    ) -> HoursLog:
        """Log a day's hours and issue the supervisor's first link."""
        if not Decimal(0) < hours <= MAX_HOURS_A_DAY:
            raise RuleViolated("HOURS_OUT_OF_RANGE", f"{hours} hours is not between 0 and 24")
        if worked_on > at.date():
            raise RuleViolated("DATE_IN_FUTURE", "Hours cannot be logged for a day to come")
        starts_on, ends_on = program_runs
        if not starts_on <= worked_on <= ends_on:
            raise RuleViolated(
                "OUTSIDE_PROGRAM",
                f"The program runs from {day(starts_on)} to {day(ends_on)}; "
                f"{day(worked_on)} is outside it",
            )
        log = cls._create(
            cls.HoursSubmitted,
            id=id,
            student_id=student_id,
            program_id=program_id,
            organisation_ids=organisation_ids,
            worked_on=worked_on,
            hours=hours,
            activity=activity,
            supervisor_name=supervisor_name,
            supervisor_email=supervisor_email,
            timestamp=at,
        )
        log.issue_link(token_hash=link_hash, expires_at=link_expires_at, at=at)
        return log

    def issue_link(self, *, token_hash: str, expires_at: datetime, at: datetime) -> int:
        """A new link for the supervisor, to their address (the old one stops working);
        returns its issue."""
        if self.status is not HoursStatus.SUBMITTED:
            raise RuleViolated(
                "HOURS_ALREADY_DECIDED", f"These hours were already {self.status} by the supervisor"
            )
        self._issue(
            issue=self.issue + 1,
            expires_at=expires_at,
            token_hash=token_hash,
            sent_to=self.supervisor_email,
            timestamp=at,
        )
        return self.issue

    @event(VerificationLinkIssued)
    def _issue(
        self, issue: int, expires_at: datetime, token_hash: str, sent_to: str, timestamp: datetime
    ) -> None:
        self.issue = issue
        self.link_expires_at = expires_at
        self.old_link_hashes |= {self.link_hash} - {""}
        # A link is bound to the address it went to: if that is no longer the supervisor's
        # (or a v1 link had none), the link opens nothing.
        self.link_hash = token_hash if sent_to == self.supervisor_email else ""

    def check_link(self, token_hash: str, at: datetime) -> None:
        """A link works once, until it expires, and only while it is the latest one."""
        if not self.link_hash or not hmac.compare_digest(token_hash, self.link_hash):
            if token_hash in self.old_link_hashes:
                raise RuleViolated(
                    "LINK_SUPERSEDED", "A newer link was sent for these hours; use that one"
                )
            raise RuleViolated("LINK_UNKNOWN", "This is not a link Bridgework sent for these hours")
        if self.status is not HoursStatus.SUBMITTED:
            raise RuleViolated(
                "LINK_ALREADY_USED",
                f"These hours were already {self.status}; the link cannot be used again",
            )
        if self.link_expires_at is None or at > self.link_expires_at:
            raise RuleViolated(
                "LINK_EXPIRED",
                "This link expired"
                + ("" if self.link_expires_at is None else f" on {day(self.link_expires_at)}")
                + "; ask the student to send a new one",
            )

    def verify(self, *, token_hash: str, supervisor_name: str, at: datetime) -> None:
        self.check_link(token_hash, at)
        self._verify(
            student_id=self.student_id,
            issue=self.issue,
            supervisor_name=supervisor_name,
            timestamp=at,
        )

    @event(HoursVerified)
    def _verify(
        self, student_id: UUID, issue: int, supervisor_name: str, timestamp: datetime
    ) -> None:
        self.status = HoursStatus.VERIFIED

    def decline(self, *, token_hash: str, supervisor_name: str, reason: str, at: datetime) -> None:
        self.check_link(token_hash, at)
        self._decline(
            student_id=self.student_id,
            issue=self.issue,
            supervisor_name=supervisor_name,
            reason=reason,
            timestamp=at,
        )

    @event(HoursDeclined)
    def _decline(
        self, student_id: UUID, issue: int, supervisor_name: str, reason: str, timestamp: datetime
    ) -> None:
        self.status = HoursStatus.DECLINED

    def _check_verified(self, doing: str) -> None:
        if self.status is not HoursStatus.VERIFIED:
            raise RuleViolated(
                "HOURS_NOT_VERIFIED" if self.status is HoursStatus.SUBMITTED else "HOURS_DECIDED",
                f"Hours that are {self.status} cannot be {doing}: the school decides on hours "
                "once the supervisor has verified them",
            )

    def approve(self, *, note: str, at: datetime) -> None:
        self._check_verified("approved")
        self._approve(student_id=self.student_id, note=note, timestamp=at)

    @event(HoursApproved)
    def _approve(self, student_id: UUID, note: str, timestamp: datetime) -> None:
        self.status = HoursStatus.APPROVED

    def reject(self, *, reason: str, at: datetime) -> None:
        self._check_verified("rejected")
        self._reject(student_id=self.student_id, reason=reason, timestamp=at)

    @event(HoursRejected)
    def _reject(self, student_id: UUID, reason: str, timestamp: datetime) -> None:
        self.status = HoursStatus.REJECTED
