"""Partnerships: two or more organisations running programs together."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from bridgework.domain.base import BridgeworkAggregate
from bridgework.domain.errors import RuleViolated
from eventsourcing.domain import Aggregate, event


class Partnership(BridgeworkAggregate):
    STREAM = "partnership"

    class PartnershipFormed(Aggregate.Created):
        name: str
        organisation_ids: tuple[UUID, ...]
        goals: tuple[str, ...]

    @event(PartnershipFormed)
    def __init__(
        self, name: str, organisation_ids: tuple[UUID, ...], goals: tuple[str, ...]
    ) -> None:
        self.name = name
        self.organisation_ids = organisation_ids
        self.goals = goals

    @classmethod
    def form(
        cls,
        *,
        id: UUID,
        name: str,
        organisation_ids: tuple[UUID, ...],
        goals: tuple[str, ...],
        at: datetime,
    ) -> Partnership:
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
        return cls._create(
            cls.PartnershipFormed,
            id=id,
            name=name,
            organisation_ids=organisation_ids,
            goals=goals,
            timestamp=at,
        )

    def includes(self, organisation_id: UUID) -> bool:
        return organisation_id in self.organisation_ids
