"""Organisations: the schools, businesses, nonprofits… that partner in programs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from bridgework.domain.base import BridgeworkAggregate
from eventsourcing.domain import Aggregate, event


class OrganisationKind(StrEnum):
    SCHOOL = "school"
    DISTRICT = "district"
    BUSINESS = "business"
    NONPROFIT = "nonprofit"
    UNIVERSITY = "university"
    COMMUNITY_GROUP = "community_group"
    AGENCY = "agency"


class Organisation(BridgeworkAggregate):
    STREAM = "organisation"

    class OrganisationRegistered(Aggregate.Created):
        name: str
        kind: OrganisationKind

    @event(OrganisationRegistered)
    def __init__(self, name: str, kind: OrganisationKind) -> None:
        self.name = name
        self.kind = kind

    @property
    def scope(self) -> tuple[UUID, ...]:
        return (self.id,)

    @classmethod
    def register(cls, *, id: UUID, name: str, kind: OrganisationKind, at: datetime) -> Organisation:
        return cls._create(cls.OrganisationRegistered, id=id, name=name, kind=kind, timestamp=at)
