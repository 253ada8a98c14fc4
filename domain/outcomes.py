"""Showcases: students of a program presenting their work to its partners."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from bridgework.domain.base import day
from bridgework.domain.errors import RuleViolated
from bridgework.domain.program_state import ProgramState
from eventsourcing.domain import Aggregate, event


class Showcases(ProgramState):
    """Showcases of a program (a mixin of `Program`)."""

    class ShowcaseRecorded(Aggregate.Event):
        showcase_id: UUID
        title: str
        held_on: date
        presenter_ids: tuple[UUID, ...]
        attending_organisation_ids: tuple[UUID, ...]

    def record_showcase(
        self,
        *,
        showcase_id: UUID,
        title: str,
        held_on: date,
        presenter_ids: tuple[UUID, ...],
        attending_organisation_ids: tuple[UUID, ...],
        partner_ids: frozenset[UUID],
        at: datetime,
    ) -> None:
        """Record a showcase where students presented to partners; presenters must be in."""
        if showcase_id in self.showcase_ids:
            raise RuleViolated("SHOWCASE_EXISTS", f"Showcase '{title}' is already recorded")
        if held_on < self.starts_on:
            raise RuleViolated(
                "SHOWCASE_BEFORE_START",
                f"Showcase '{title}' ({day(held_on)}) is before '{self.name}' "
                f"starts ({day(self.starts_on)})",
            )
        outsiders = [s for s in presenter_ids if s not in self.seated and s not in self.completed]
        if outsiders:
            raise RuleViolated(
                "PRESENTER_NOT_IN_PROGRAM",
                f"{len(outsiders)} presenter(s) of '{title}' are not students of '{self.name}'",
            )
        guests = [o for o in attending_organisation_ids if o not in partner_ids]
        if guests:
            raise RuleViolated(
                "ORGANISATION_NOT_A_PARTNER",
                f"{len(guests)} attending organisation(s) of '{title}' are not partners "
                f"of the partnership that runs '{self.name}'",
            )
        self._record_showcase(
            showcase_id=showcase_id,
            title=title,
            held_on=held_on,
            presenter_ids=presenter_ids,
            attending_organisation_ids=attending_organisation_ids,
            timestamp=at,
        )

    @event(ShowcaseRecorded)
    def _record_showcase(
        self,
        showcase_id: UUID,
        title: str,
        held_on: date,
        presenter_ids: tuple[UUID, ...],
        attending_organisation_ids: tuple[UUID, ...],
        timestamp: datetime,
    ) -> None:
        self.showcase_ids.add(showcase_id)
