"""Working together, in the API: each partner's liaisons, what the partners gave, and their
check-ins."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import strawberry
from bridgework.graphql import loaders
from bridgework.graphql.context import Info
from bridgework.graphql.directory.organizations import Organization, organization_of
from bridgework.graphql.enums import ContributionKind
from bridgework.graphql.partnerships.lifecycle import PartnershipPayload, updated
from bridgework.graphql.run import IDEMPOTENCY_KEY, run
from bridgework.graphql.shapes import copied, ident
from bridgework.projections.partnerships.collaboration import (
    CheckInView,
    ContributionView,
    LiaisonView,
    check_ins,
    contributions,
    liaisons,
)
from bridgework.projections.partnerships.health import ContributionTotal as Total
from bridgework.services.partnerships.collaboration import (
    AppointLiaison,
    RecordCheckIn,
    RecordContribution,
    StandDownLiaison,
)

LIAISONS = loaders.many(liaisons)
CONTRIBUTIONS = loaders.many(contributions)
CHECK_INS = loaders.many(check_ins)


@strawberry.type
class Liaison:
    """A partner organisation's contact for the partnership."""

    id: strawberry.ID
    organization_id: strawberry.ID
    name: str
    title: str
    email: str | None
    phone: str | None
    appointed_at: datetime
    stood_down_reason: str | None = strawberry.field(description="Null while still liaison.")

    @classmethod
    def from_view(cls, v: LiaisonView) -> Liaison:
        return copied(cls, v, id=ident(v.id), organization_id=ident(v.organisation_id))


@strawberry.type
class Contribution:
    """Funding, equipment, software, volunteer hours or space a partner gave."""

    id: strawberry.ID
    organization_id: strawberry.ID
    kind: ContributionKind
    description: str
    value: Decimal | None = strawberry.field(description="Money given, or estimated value.")
    currency: str | None
    hours: Decimal | None
    contributed_on: date

    @classmethod
    def from_view(cls, v: ContributionView) -> Contribution:
        return copied(
            cls,
            v,
            id=ident(v.id),
            organization_id=ident(v.organisation_id),
            kind=ContributionKind(v.kind),
        )


@strawberry.type
class ContributionTotal:
    """What one partner gave in all, per currency (hours have no currency)."""

    organization_id: strawberry.ID
    currency: str | None
    value: Decimal
    hours: Decimal
    contributions: int

    @classmethod
    def from_total(cls, t: Total) -> ContributionTotal:
        return copied(cls, t, organization_id=ident(t.organisation_id))

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        return await organization_of(info, UUID(self.organization_id))


@strawberry.type
class FollowUp:
    action: str
    owner: str
    due_on: date | None


@strawberry.type
class CheckIn:
    """A meeting of the partners: who came, what was said and decided, who follows up."""

    id: strawberry.ID
    held_on: date
    attendees: list[str]
    notes: str
    decisions: list[str]
    follow_ups: list[FollowUp]

    @classmethod
    def from_view(cls, v: CheckInView) -> CheckIn:
        follow_ups = [
            FollowUp(action=f.action, owner=f.owner, due_on=f.due_on) for f in v.follow_ups
        ]
        return copied(cls, v, id=ident(v.id), follow_ups=follow_ups)


async def liaisons_of(info: Info, partnership_id: UUID) -> list[Liaison]:
    return [Liaison.from_view(v) for v in await LIAISONS.load(info, partnership_id)]


async def contributions_of(info: Info, partnership_id: UUID) -> list[Contribution]:
    return [Contribution.from_view(v) for v in await CONTRIBUTIONS.load(info, partnership_id)]


async def check_ins_of(info: Info, partnership_id: UUID) -> list[CheckIn]:
    return [CheckIn.from_view(v) for v in await CHECK_INS.load(info, partnership_id)]


@strawberry.input
class AppointLiaisonInput:
    partnership_id: strawberry.ID
    organization_id: strawberry.ID
    name: str
    title: str = ""
    email: str | None = None
    phone: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class StandDownLiaisonInput:
    partnership_id: strawberry.ID
    liaison_id: strawberry.ID
    reason: str
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RecordContributionInput:
    """Funding needs `value` and `currency`; volunteer hours need `hours`; for the rest
    `value` and `currency` are an estimate."""

    partnership_id: strawberry.ID
    organization_id: strawberry.ID
    kind: ContributionKind
    description: str
    contributed_on: date
    value: Decimal | None = None
    currency: str | None = strawberry.field(default=None, description="ISO 4217, e.g. USD.")
    hours: Decimal | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class FollowUpInput:
    action: str
    owner: str
    due_on: date | None = None


@strawberry.input
class RecordCheckInInput:
    partnership_id: strawberry.ID
    held_on: date
    attendees: list[str]
    notes: str = ""
    decisions: list[str] = strawberry.field(default_factory=list)
    follow_ups: list[FollowUpInput] = strawberry.field(default_factory=list)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Name a partner organisation's liaison.")
    async def appoint_liaison(self, info: Info, input: AppointLiaisonInput) -> PartnershipPayload:
        return await run(info, AppointLiaison, input, updated(input))

    @strawberry.mutation(description="A liaison no longer represents their organisation.")
    async def stand_down_liaison(
        self, info: Info, input: StandDownLiaisonInput
    ) -> PartnershipPayload:
        return await run(info, StandDownLiaison, input, updated(input))

    @strawberry.mutation(description="Record what a partner gave.")
    async def record_contribution(
        self, info: Info, input: RecordContributionInput
    ) -> PartnershipPayload:
        return await run(info, RecordContribution, input, updated(input))

    @strawberry.mutation(description="Record a check-in of the partners.")
    async def record_check_in(self, info: Info, input: RecordCheckInInput) -> PartnershipPayload:
        return await run(info, RecordCheckIn, input, updated(input))
