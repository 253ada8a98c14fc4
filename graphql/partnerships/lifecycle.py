"""A partnership's life (formed, activated, suspended, renewed, concluded) and its type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Protocol
from uuid import UUID

import strawberry
from bridgework.graphql import loaders, reach
from bridgework.graphql.context import Info
from bridgework.graphql.directory.organizations import Organization, organizations_of
from bridgework.graphql.directory.programs import Program
from bridgework.graphql.enums import PartnershipStatus
from bridgework.graphql.errors import Failure
from bridgework.graphql.history import history_field
from bridgework.graphql.lazy import area, later
from bridgework.graphql.pages import AtLeast, parse_id
from bridgework.graphql.run import AS_VIEWED, IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.shapes import copied, ident
from bridgework.projections.db import today
from bridgework.projections.directory import PartnershipView, partnerships, programs_of_partnerships
from bridgework.projections.partnerships import lifecycle as read
from bridgework.projections.partnerships.lifecycle import PartnershipTransitionView
from bridgework.services.partnerships.lifecycle import (
    ActivatePartnership,
    ConcludePartnership,
    FormPartnership,
    RenewPartnership,
    SuspendPartnership,
)
from bridgework.services.unit_of_work import CommandResult

# Other areas' types and resolvers this one serves: typed for mypy, found when first called
# (`lazy.py`), since those areas import this one.
if TYPE_CHECKING:
    from bridgework.graphql.partnerships.charter import (
        PartnerRole,
        PartnershipHealth,
        SuccessMetric,
        metrics_of,
        partnership_health,
        roles_of,
    )
    from bridgework.graphql.partnerships.collaboration import (
        CheckIn,
        Contribution,
        Liaison,
        check_ins_of,
        contributions_of,
        liaisons_of,
    )
else:
    roles_of = later("partnerships.charter", "roles_of")
    metrics_of = later("partnerships.charter", "metrics_of")
    liaisons_of = later("partnerships.collaboration", "liaisons_of")
    contributions_of = later("partnerships.collaboration", "contributions_of")
    check_ins_of = later("partnerships.collaboration", "check_ins_of")
    partnership_health = later("partnerships.charter", "partnership_health")

PARTNERSHIP = loaders.one(partnerships, reach.partnerships)
STATE = loaders.one(read.partnership_states)
HISTORY = loaders.many(read.partnership_transitions)
PROGRAMS = loaders.many(programs_of_partnerships)

_charter = area("partnerships.charter")
_collaboration = area("partnerships.collaboration")


@strawberry.type
class PartnershipTransition:
    """A step in a partnership's life."""

    change: str = strawberry.field(
        description="formed, activated, suspended, renewed or concluded."
    )
    status: PartnershipStatus = strawberry.field(description="The status it left.")
    reason: str
    term_starts_on: date | None
    term_ends_on: date | None
    at: datetime

    @classmethod
    def from_view(cls, v: PartnershipTransitionView) -> PartnershipTransition:
        return copied(cls, v, status=PartnershipStatus(v.status))


@strawberry.type
class Partnership:
    """Two or more organisations running programs together."""

    id: strawberry.ID
    name: str
    goals: list[str]
    formed_at: datetime
    view: strawberry.Private[PartnershipView]
    event_history = history_field("partnership")

    @classmethod
    def from_view(cls, v: PartnershipView) -> Partnership:
        return copied(cls, v, id=ident(v.id), view=v)

    @strawberry.field(description="The partner organisations.")
    async def organizations(self, info: Info) -> list[Organization]:
        return await organizations_of(info, self.view.organisation_ids)

    @strawberry.field(description="The partnership's programs, in launch order.")
    async def programs(self, info: Info) -> list[Program]:
        return [Program.from_view(p) for p in await PROGRAMS.load(info, self.view.id)]

    @strawberry.field(description="Proposed, active, suspended or concluded.")
    async def status(self, info: Info) -> PartnershipStatus | None:
        found = await STATE.load(info, self.view.id)
        return None if found is None else PartnershipStatus(found.status)

    @strawberry.field(description="The current term, if it was ever renewed.")
    async def term_starts_on(self, info: Info) -> date | None:
        found = await STATE.load(info, self.view.id)
        return None if found is None else found.term_starts_on

    @strawberry.field(description="When the current term ends, if it was ever renewed.")
    async def term_ends_on(self, info: Info) -> date | None:
        found = await STATE.load(info, self.view.id)
        return None if found is None else found.term_ends_on

    @strawberry.field(description="Its life so far, oldest step first, each with its reason.")
    async def history(self, info: Info) -> list[PartnershipTransition]:
        found = await HISTORY.load(info, self.view.id)
        return [PartnershipTransition.from_view(t) for t in found]

    @strawberry.field(description="Charter: each partner's role and commitments.")
    async def roles(self, info: Info) -> list[Annotated[PartnerRole, _charter]]:
        return await roles_of(info, self.view.id)

    @strawberry.field(description="Charter: success metrics with targets, in definition order.")
    async def metrics(
        self, info: Info, include_retired: bool = False
    ) -> list[Annotated[SuccessMetric, _charter]]:
        found = await metrics_of(info, self.view.id)
        return [m for m in found if include_retired or m.retired_reason is None]

    @strawberry.field(description="Each partner's liaisons; former ones only when asked.")
    async def liaisons(
        self, info: Info, include_former: bool = False
    ) -> list[Annotated[Liaison, _collaboration]]:
        found = await liaisons_of(info, self.view.id)
        return [v for v in found if include_former or v.stood_down_reason is None]

    @strawberry.field(description="What the partners gave, earliest first.")
    async def contributions(self, info: Info) -> list[Annotated[Contribution, _collaboration]]:
        return await contributions_of(info, self.view.id)

    @strawberry.field(description="Check-ins, latest first.")
    async def check_ins(self, info: Info) -> list[Annotated[CheckIn, _collaboration]]:
        return await check_ins_of(info, self.view.id)

    @strawberry.field(
        description="Metrics against targets, contributions by partner, last check-in and "
        "active programs, on `asOf` (default: today)."
    )
    async def health(
        self, info: Info, as_of: date | None = None
    ) -> Annotated[PartnershipHealth, _charter]:
        return await partnership_health(info, self.view.id, as_of or today())


async def partnership_of(info: Info, partnership_id: UUID) -> Partnership | None:
    found = await PARTNERSHIP.load(info, partnership_id)
    return None if found is None else Partnership.from_view(found)


@strawberry.type
class PartnershipFormed(Recorded):
    """The partnership is formed."""

    id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def partnership(self, info: Info) -> Partnership | None:
        return await viewed(info, self.position, PARTNERSHIP, self.id, Partnership.from_view)


@strawberry.type
class PartnershipUpdated(Recorded):
    """The partnership changed; `id` is what the command created or touched (a metric, a
    liaison, a contribution, a check-in) or the partnership itself."""

    id: strawberry.ID
    partnership_id: strawberry.ID
    status: PartnershipStatus

    @strawberry.field(description="As the views show it once they include this write.")
    async def partnership(self, info: Info) -> Partnership | None:
        return await viewed(
            info, self.position, PARTNERSHIP, self.partnership_id, Partnership.from_view
        )


FormPartnershipPayload = Annotated[
    PartnershipFormed | Failure, strawberry.union("FormPartnershipPayload")
]
PartnershipPayload = Annotated[PartnershipUpdated | Failure, strawberry.union("PartnershipPayload")]


class ForPartnership(Protocol):
    """An input about one partnership."""

    partnership_id: strawberry.ID


def updated(input: ForPartnership) -> Callable[[CommandResult], PartnershipUpdated]:
    """The success of a command that changed the partnership `input` names."""
    return lambda r: PartnershipUpdated(
        id=ident(r.id),
        partnership_id=input.partnership_id,
        status=PartnershipStatus(str(r.status)),
        position=r.position,
    )


@strawberry.input
class FormPartnershipInput:
    """The partners and what they want to achieve together."""

    name: str
    organization_ids: list[strawberry.ID] = strawberry.field(description="Two to fifty, distinct.")
    goals: list[str] = strawberry.field(default_factory=list, description="Up to twenty.")
    proposed: bool = strawberry.field(
        default=False, description="Only proposed: activate it once the partners have signed."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class ChangePartnershipStatusInput:
    """Which partnership, and why."""

    partnership_id: strawberry.ID
    reason: str = strawberry.field(description="1 to 2,000 characters.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RenewPartnershipInput:
    """The new term, and why."""

    partnership_id: strawberry.ID
    term_starts_on: date
    term_ends_on: date = strawberry.field(description="After `termStartsOn`.")
    reason: str
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class Query:
    @strawberry.field(description="A partnership by id; null if there is none.")
    async def partnership(
        self, info: Info, id: strawberry.ID, at_least: AtLeast = None
    ) -> Partnership | None:
        await info.context.see_at_least(at_least)
        return await partnership_of(info, parse_id("id", id))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Form a partnership between two or more organisations.")
    async def form_partnership(
        self, info: Info, input: FormPartnershipInput
    ) -> FormPartnershipPayload:
        return await run(
            info,
            FormPartnership,
            input,
            lambda r: PartnershipFormed(id=ident(r.id), position=r.position),
        )

    @strawberry.mutation(description="Start a proposed partnership, or resume a suspended one.")
    async def activate_partnership(
        self, info: Info, input: ChangePartnershipStatusInput
    ) -> PartnershipPayload:
        return await run(info, ActivatePartnership, input, updated(input))

    @strawberry.mutation(description="Pause an active partnership; no new programs meanwhile.")
    async def suspend_partnership(
        self, info: Info, input: ChangePartnershipStatusInput
    ) -> PartnershipPayload:
        return await run(info, SuspendPartnership, input, updated(input))

    @strawberry.mutation(description="End a partnership for good.")
    async def conclude_partnership(
        self, info: Info, input: ChangePartnershipStatusInput
    ) -> PartnershipPayload:
        return await run(info, ConcludePartnership, input, updated(input))

    @strawberry.mutation(description="Renew an active partnership for a new term.")
    async def renew_partnership(
        self, info: Info, input: RenewPartnershipInput
    ) -> PartnershipPayload:
        return await run(info, RenewPartnership, input, updated(input))
