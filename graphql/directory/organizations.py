"""Organisations: schools, districts, businesses, nonprofits, universities, …"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry
from bridgework.graphql import loaders, reach
from bridgework.graphql.context import Info
from bridgework.graphql.enums import OrganisationKind
from bridgework.graphql.errors import Failure
from bridgework.graphql.history import history_field
from bridgework.graphql.pages import AtLeast, parse_id
from bridgework.graphql.run import AS_VIEWED, IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.shapes import copied, ident
from bridgework.projections.directory import OrganisationView, organisations
from bridgework.services.directory import RegisterOrganization

ORGANISATION = loaders.one(organisations, reach.organisations)


@strawberry.type
class Organization:
    """A school, district, business, nonprofit, university, …"""

    id: strawberry.ID
    name: str
    kind: OrganisationKind
    registered_at: datetime
    history = history_field("organisation")

    @classmethod
    def from_view(cls, v: OrganisationView) -> Organization:
        return copied(cls, v, id=ident(v.id), kind=OrganisationKind(v.kind))


async def organization_of(info: Info, organisation_id: UUID) -> Organization | None:
    found = await ORGANISATION.load(info, organisation_id)
    return None if found is None else Organization.from_view(found)


async def organizations_of(info: Info, ids: list[UUID]) -> list[Organization]:
    """The organisations the views have, in the order asked."""
    found = await ORGANISATION.load_many(info, ids)
    return [Organization.from_view(o) for o in found if o is not None]


@strawberry.type
class OrganizationRegistered(Recorded):
    """The organisation is registered."""

    id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def organization(self, info: Info) -> Organization | None:
        return await viewed(info, self.position, ORGANISATION, self.id, Organization.from_view)


RegisterOrganizationPayload = Annotated[
    OrganizationRegistered | Failure, strawberry.union("RegisterOrganizationPayload")
]


@strawberry.input
class RegisterOrganizationInput:
    """A new organisation."""

    name: str
    kind: OrganisationKind
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class Query:
    @strawberry.field(description="An organisation by id; null if there is none.")
    async def organization(
        self, info: Info, id: strawberry.ID, at_least: AtLeast = None
    ) -> Organization | None:
        await info.context.see_at_least(at_least)
        return await organization_of(info, parse_id("id", id))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a school, business, nonprofit, university, …")
    async def register_organization(
        self, info: Info, input: RegisterOrganizationInput
    ) -> RegisterOrganizationPayload:
        return await run(
            info,
            RegisterOrganization,
            input,
            lambda r: OrganizationRegistered(id=ident(r.id), position=r.position),
        )
