"""How partners work together: liaisons, contributions and check-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from bridgework.domain.base import day
from bridgework.domain.errors import RuleViolated
from bridgework.domain.partnership_state import PartnershipState
from eventsourcing.domain import Aggregate, event


class ContributionKind(StrEnum):
    FUNDING = "funding"
    EQUIPMENT = "equipment"
    SOFTWARE = "software"
    VOLUNTEER_HOURS = "volunteer_hours"
    SPACE = "space"


@dataclass(frozen=True)
class FollowUp:
    """An action a check-in agreed on: who does what, by when."""

    action: str
    owner: str
    due_on: date | None = None


class Collaboration(PartnershipState):
    """Liaisons, contributions and check-ins (a mixin of `Partnership`)."""

    class LiaisonAppointed(Aggregate.Event):
        liaison_id: UUID
        organisation_id: UUID
        name: str
        title: str
        email: str | None
        phone: str | None

    class LiaisonStoodDown(Aggregate.Event):
        liaison_id: UUID
        reason: str

    class ContributionRecorded(Aggregate.Event):
        contribution_id: UUID
        organisation_id: UUID
        kind: ContributionKind
        description: str
        value: Decimal | None
        """Money given (funding) or the estimated value of what was given, in `currency`."""
        currency: str | None
        hours: Decimal | None
        """Volunteer hours given."""
        contributed_on: date

    class CheckInHeld(Aggregate.Event):
        check_in_id: UUID
        held_on: date
        attendees: tuple[str, ...]
        notes: str
        decisions: tuple[str, ...]
        follow_ups: tuple[FollowUp, ...]

    def appoint_liaison(
        self,
        *,
        liaison_id: UUID,
        organisation_id: UUID,
        name: str,
        title: str,
        email: str | None,
        phone: str | None,
        at: datetime,
    ) -> None:
        self._open("given liaisons")
        self._partner(organisation_id, "A liaison")
        self._appoint(
            liaison_id=liaison_id,
            organisation_id=organisation_id,
            name=name,
            title=title,
            email=email,
            phone=phone,
            timestamp=at,
        )

    @event(LiaisonAppointed)
    def _appoint(
        self,
        liaison_id: UUID,
        organisation_id: UUID,
        name: str,
        title: str,
        email: str | None,
        phone: str | None,
        timestamp: datetime,
    ) -> None:
        self.liaisons.add(liaison_id)

    def stand_down_liaison(self, *, liaison_id: UUID, reason: str, at: datetime) -> None:
        if liaison_id not in self.liaisons:
            raise RuleViolated(
                "NOT_A_LIAISON", f"{liaison_id} is not a current liaison of '{self.name}'"
            )
        self._stand_down(liaison_id=liaison_id, reason=reason, timestamp=at)

    @event(LiaisonStoodDown)
    def _stand_down(self, liaison_id: UUID, reason: str, timestamp: datetime) -> None:
        self.liaisons.discard(liaison_id)

    def record_contribution(
        self,
        *,
        contribution_id: UUID,
        organisation_id: UUID,
        kind: ContributionKind,
        description: str,
        value: Decimal | None,
        currency: str | None,
        hours: Decimal | None,
        contributed_on: date,
        at: datetime,
    ) -> None:
        self._open("given contributions")
        self._partner(organisation_id, "A contribution")
        if kind is ContributionKind.FUNDING and (value is None or currency is None):
            raise RuleViolated("FUNDING_NEEDS_AMOUNT", "Funding needs an amount and its currency")
        if kind is ContributionKind.VOLUNTEER_HOURS and hours is None:
            raise RuleViolated("HOURS_NEEDED", "Volunteer hours need the number of hours")
        self._contribute(
            contribution_id=contribution_id,
            organisation_id=organisation_id,
            kind=kind,
            description=description,
            value=value,
            currency=currency,
            hours=hours,
            contributed_on=contributed_on,
            timestamp=at,
        )

    @event(ContributionRecorded)
    def _contribute(
        self,
        contribution_id: UUID,
        organisation_id: UUID,
        kind: ContributionKind,
        description: str,
        value: Decimal | None,
        currency: str | None,
        hours: Decimal | None,
        contributed_on: date,
        timestamp: datetime,
    ) -> None:
        pass

    def hold_check_in(
        self,
        *,
        check_in_id: UUID,
        held_on: date,
        attendees: tuple[str, ...],
        notes: str,
        decisions: tuple[str, ...],
        follow_ups: tuple[FollowUp, ...],
        at: datetime,
    ) -> None:
        self._open("given check-ins")
        if held_on > at.date():
            raise RuleViolated(
                "CHECK_IN_IN_FUTURE",
                f"A check-in of '{self.name}' cannot be recorded before it is held "
                f"({day(held_on)})",
            )
        self._check_in(
            check_in_id=check_in_id,
            held_on=held_on,
            attendees=attendees,
            notes=notes,
            decisions=decisions,
            follow_ups=follow_ups,
            timestamp=at,
        )

    @event(CheckInHeld)
    def _check_in(
        self,
        check_in_id: UUID,
        held_on: date,
        attendees: tuple[str, ...],
        notes: str,
        decisions: tuple[str, ...],
        follow_ups: tuple[FollowUp, ...],
        timestamp: datetime,
    ) -> None:
        self.check_in_ids.add(check_in_id)
