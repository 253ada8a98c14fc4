"""Partnerships: two or more organisations running programs together, under a charter.

A partnership is proposed or formed active; it can be suspended and reactivated, renewed
for a new term, and concluded, each time with a reason. Its charter names each partner's
role and commitments and the success metrics it is judged by; liaisons, contributions and
check-ins record how the partners work together.

`Partnership` is one aggregate (one stream, its events named `Partnership.…`): its
lifecycle is here, its charter and collaboration are concept mixins
(`charter`, `collaboration`; see `base._adopt_concepts`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from bridgework.domain.base import BridgeworkAggregate, day
from bridgework.domain.charter import Charter
from bridgework.domain.collaboration import Collaboration
from bridgework.domain.errors import RuleViolated
from bridgework.domain.partnership_state import PartnershipStatus
from eventsourcing.domain import Aggregate, event


class Partnership(Charter, Collaboration, BridgeworkAggregate):
    """Two or more organisations running programs together (lifecycle: proposed → active ⇄
    suspended → concluded, renewed for new terms)."""

    STREAM = "partnership"

    class PartnershipFormed(Aggregate.Created):
        """v2 adds `status` (proposed or active); every v1 partnership was formed active."""

        class_version = 2
        name: str
        organisation_ids: tuple[UUID, ...]
        goals: tuple[str, ...]
        status: PartnershipStatus

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> dict[str, Any]:
            state["status"] = PartnershipStatus.ACTIVE.value
            return state

    class ProgramAdded(Aggregate.Event):
        """A program launched under the partnership. Recorded on the partnership's own
        stream so a launch and a concurrent suspension or conclusion cannot both win."""

        program_id: UUID
        name: str

    class PartnershipActivated(Aggregate.Event):
        reason: str

    class PartnershipSuspended(Aggregate.Event):
        reason: str

    class PartnershipRenewed(Aggregate.Event):
        term_starts_on: date
        term_ends_on: date
        reason: str

    class PartnershipConcluded(Aggregate.Event):
        reason: str

    @event(PartnershipFormed)
    def __init__(
        self,
        name: str,
        organisation_ids: tuple[UUID, ...],
        goals: tuple[str, ...],
        status: PartnershipStatus,
    ) -> None:
        self.name = name
        self.organisation_ids = organisation_ids
        self.goals = goals
        self.status = status
        self.metrics = {}
        self.retired_metrics = set()
        self.liaisons = set()
        self.check_in_ids = set()

    @property
    def scope(self) -> tuple[UUID, ...]:
        return self.organisation_ids

    @classmethod
    def form(
        cls,
        *,
        id: UUID,
        name: str,
        organisation_ids: tuple[UUID, ...],
        goals: tuple[str, ...],
        at: datetime,
        proposed: bool = False,
    ) -> Partnership:
        """Form a partnership, active at once, or only proposed until the partners sign."""
        if len(set(organisation_ids)) < 2:  # noqa: PLR2004 - a partnership is two or more
            raise RuleViolated(
                "PARTNERSHIP_NEEDS_TWO_ORGANISATIONS",
                f"Partnership '{name}' needs at least two different organisations",
            )
        if len(set(organisation_ids)) != len(organisation_ids):
            raise RuleViolated(
                "DUPLICATE_ORGANISATION",
                f"Partnership '{name}' lists the same organisation more than once",
            )
        status = PartnershipStatus.PROPOSED if proposed else PartnershipStatus.ACTIVE
        return cls._create(
            cls.PartnershipFormed,
            id=id,
            name=name,
            organisation_ids=organisation_ids,
            goals=goals,
            status=status,
            timestamp=at,
        )

    def add_program(self, *, program_id: UUID, name: str, at: datetime) -> None:
        """Programs launch only while the partnership is active."""
        self._refuse_unless(f"given a new program ('{name}')", PartnershipStatus.ACTIVE)
        self._add_program(program_id=program_id, name=name, timestamp=at)

    @event(ProgramAdded)
    def _add_program(self, program_id: UUID, name: str, timestamp: datetime) -> None:
        pass

    def activate(self, *, reason: str, at: datetime) -> None:
        """Start a proposed partnership, or resume a suspended one."""
        self._refuse_unless("activated", PartnershipStatus.PROPOSED, PartnershipStatus.SUSPENDED)
        self._activate(reason=reason, timestamp=at)

    @event(PartnershipActivated)
    def _activate(self, reason: str, timestamp: datetime) -> None:
        self.status = PartnershipStatus.ACTIVE

    def suspend(self, *, reason: str, at: datetime) -> None:
        self._refuse_unless("suspended", PartnershipStatus.ACTIVE)
        self._suspend(reason=reason, timestamp=at)

    @event(PartnershipSuspended)
    def _suspend(self, reason: str, timestamp: datetime) -> None:
        self.status = PartnershipStatus.SUSPENDED

    def renew(self, *, term_starts_on: date, term_ends_on: date, reason: str, at: datetime) -> None:
        """Renew an active partnership for a new term."""
        self._refuse_unless("renewed", PartnershipStatus.ACTIVE)
        if term_ends_on <= term_starts_on:
            raise RuleViolated(
                "TERM_ENDS_BEFORE_IT_STARTS",
                f"A term of '{self.name}' cannot end ({day(term_ends_on)}) on or before it "
                f"starts ({day(term_starts_on)})",
            )
        self._renew(
            term_starts_on=term_starts_on, term_ends_on=term_ends_on, reason=reason, timestamp=at
        )

    @event(PartnershipRenewed)
    def _renew(
        self, term_starts_on: date, term_ends_on: date, reason: str, timestamp: datetime
    ) -> None:
        pass

    def conclude(self, *, reason: str, at: datetime) -> None:
        self._refuse_unless(
            "concluded",
            PartnershipStatus.PROPOSED,
            PartnershipStatus.ACTIVE,
            PartnershipStatus.SUSPENDED,
        )
        self._conclude(reason=reason, timestamp=at)

    @event(PartnershipConcluded)
    def _conclude(self, reason: str, timestamp: datetime) -> None:
        self.status = PartnershipStatus.CONCLUDED
