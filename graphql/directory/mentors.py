"""Mentors: volunteers from partner organisations, their checks, matches and load."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from bridgework.graphql import loaders, reach
from bridgework.graphql.context import Info
from bridgework.graphql.directory.organizations import Organization, organization_of
from bridgework.graphql.errors import Failure
from bridgework.graphql.history import history_field
from bridgework.graphql.lazy import area, later
from bridgework.graphql.pages import AtLeast, parse_id
from bridgework.graphql.run import AS_VIEWED, IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.shapes import copied, ident
from bridgework.projections import mentoring as read
from bridgework.projections.db import today
from bridgework.projections.directory import MentorView, mentors
from bridgework.services.directory import RegisterMentor

# Other areas' types and resolvers this one serves: typed for mypy, found when first called
# (`lazy.py`), since those areas import this one.
if TYPE_CHECKING:
    from bridgework.graphql.mentoring import (
        MentorMatch,
        MentorMatchProposal,
        matches_of_mentor,
        proposals_of_mentor,
    )
    from bridgework.graphql.safeguarding import Clearance, clearances_of
else:
    clearances_of = later("safeguarding", "clearances_of")
    matches_of_mentor = later("mentoring", "matches_of_mentor")
    proposals_of_mentor = later("mentoring", "proposals_of_mentor")

MENTOR = loaders.one(mentors, reach.mentors)

_mentoring = area("mentoring")
_safeguarding = area("safeguarding")


@strawberry.type
class Mentor:
    """A volunteer from a partner organisation."""

    id: strawberry.ID
    name: str
    capacity: int = strawberry.field(description="How many students they can mentor at once.")
    active_mentees: int
    view: strawberry.Private[MentorView]
    history = history_field("mentor")

    @classmethod
    def from_view(cls, v: MentorView) -> Mentor:
        return copied(cls, v, id=ident(v.id), view=v)

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        return await organization_of(info, self.view.organisation_id)

    @strawberry.field(
        description="Background checks, latest first; only the latest of each type unless "
        "`includeSuperseded`."
    )
    async def clearances(
        self, info: Info, include_superseded: bool = False
    ) -> list[Annotated[Clearance, _safeguarding]]:
        found = await clearances_of(info, self.view.id)
        return [c for c in found if include_superseded or c.current]

    @strawberry.field(description="Matches, oldest first; open ones only unless asked.")
    async def matches(
        self, info: Info, include_closed: bool = False
    ) -> list[Annotated[MentorMatch, _mentoring]]:
        found = await matches_of_mentor(info, self.view.id)
        return [m for m in found if include_closed or m.ended_on is None]

    @strawberry.field(description="Matches proposed to the mentor; open ones only unless asked.")
    async def proposals(
        self, info: Info, include_answered: bool = False
    ) -> list[Annotated[MentorMatchProposal, _mentoring]]:
        found = await proposals_of_mentor(info, self.view.id)
        return [p for p in found if include_answered or p.status.value == "proposed"]

    @strawberry.field(description="Active and closed matches, early closures, average length.")
    async def load(self, info: Info, as_of: date | None = None) -> MentorLoad:
        return await load_of(info, self.view, as_of or today())


@strawberry.type
class MentorLoad:
    """A mentor's matches in numbers, on a date."""

    capacity: int
    active: int
    closed: int
    closed_early: int = strawberry.field(description="Closed for a reason other than GOALS_MET.")
    average_days: float | None = strawberry.field(
        description="Average match length; open matches counted to `asOf`."
    )


async def load_of(info: Info, mentor: MentorView, as_of: date) -> MentorLoad:
    found = (await read.mentor_loads(info.context.reads, [mentor.id], as_of)).get(mentor.id)
    return MentorLoad(
        capacity=mentor.capacity,
        active=0 if found is None else found.active,
        closed=0 if found is None else found.closed,
        closed_early=0 if found is None else found.closed_early,
        average_days=None if found is None else found.average_days,
    )


async def mentor_of(info: Info, mentor_id: UUID) -> Mentor | None:
    found = await MENTOR.load(info, mentor_id)
    return None if found is None else Mentor.from_view(found)


@strawberry.type
class MentorRegistered(Recorded):
    """The mentor is registered."""

    id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def mentor(self, info: Info) -> Mentor | None:
        return await viewed(info, self.position, MENTOR, self.id, Mentor.from_view)


RegisterMentorPayload = Annotated[
    MentorRegistered | Failure, strawberry.union("RegisterMentorPayload")
]


@strawberry.input
class RegisterMentorInput:
    """A mentor from a partner organisation."""

    name: str
    organization_id: strawberry.ID
    capacity: int = strawberry.field(default=3, description="Mentees at once, 1 to 50.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class Query:
    @strawberry.field(description="A mentor by id.")
    async def mentor(
        self, info: Info, id: strawberry.ID, at_least: AtLeast = None
    ) -> Mentor | None:
        await info.context.see_at_least(at_least)
        return await mentor_of(info, parse_id("id", id))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a mentor from a partner organisation.")
    async def register_mentor(
        self, info: Info, input: RegisterMentorInput
    ) -> RegisterMentorPayload:
        return await run(
            info,
            RegisterMentor,
            input,
            lambda r: MentorRegistered(id=ident(r.id), position=r.position),
        )
