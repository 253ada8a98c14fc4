"""Safeguarding in the API: background checks of mentors and internship hosts, and the
checks about to lapse."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from bridgework.graphql.errors import Failure
from bridgework.graphql.mutations import IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.partnerships import today
from bridgework.graphql.queries import AtLeast
from bridgework.graphql.types import Info, Mentor
from bridgework.projections import read
from bridgework.services import mentoring as m
from bridgework.services.unit_of_work import CommandResult

from graphql import GraphQLError

if TYPE_CHECKING:
    from bridgework.projections.views import ClearanceView

MOST_DAYS_AHEAD = 366


@strawberry.enum
class ClearanceResult(Enum):
    """The outcome of a background check."""

    CLEAR = "clear"
    FLAGGED = "flagged"
    PENDING = "pending"


@strawberry.type
class Clearance:
    """A background check of a mentor or internship host. No one is matched with a student
    unless every check on record is clear and unexpired."""

    id: strawberry.ID
    mentor_id: strawberry.ID
    check_type: str
    provider: str
    result: ClearanceResult
    completed_on: date | None
    expires_on: date | None
    recorded_at: datetime
    current: bool = strawberry.field(
        description="The latest record of its check type (older ones are superseded)."
    )

    @classmethod
    def from_view(cls, v: ClearanceView) -> Clearance:
        return cls(
            id=strawberry.ID(str(v.id)), mentor_id=strawberry.ID(str(v.mentor_id)),
            check_type=v.check_type, provider=v.provider, result=ClearanceResult(v.result),
            completed_on=v.completed_on, expires_on=v.expires_on, recorded_at=v.recorded_at,
            current=v.current,
        )  # fmt: skip

    @strawberry.field
    async def mentor(self, info: Info) -> Mentor | None:
        found = await info.context.loaders.mentor.load(UUID(self.mentor_id))
        return None if found is None else Mentor.from_view(found)


@strawberry.type
class ClearanceRecorded(Recorded):
    """The check is on record."""

    id: strawberry.ID
    mentor_id: strawberry.ID

    @strawberry.field(description="As the views show it once they include this write.")
    async def mentor(self, info: Info) -> Mentor | None:
        found = await viewed(info, self.position, info.context.loaders.mentor, self.mentor_id)
        return None if found is None else Mentor.from_view(found)


RecordClearancePayload = Annotated[
    ClearanceRecorded | Failure, strawberry.union("RecordClearancePayload")
]


@strawberry.input
class RecordClearanceInput:
    """A background check's outcome; a later record of the same check type supersedes it."""

    mentor_id: strawberry.ID
    check_type: str = strawberry.field(description="E.g. 'Enhanced background check'.")
    provider: str
    result: ClearanceResult
    completed_on: date | None = strawberry.field(
        default=None, description="Needed unless the result is PENDING."
    )
    expires_on: date | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class MentoringMutation:
    @strawberry.mutation(description="Record a background check of a mentor or host.")
    async def record_clearance(
        self, info: Info, input: RecordClearanceInput
    ) -> RecordClearancePayload:
        r = await run(info, m.record_clearance, m.RecordClearance, input)
        if not isinstance(r, CommandResult):
            return r
        return ClearanceRecorded(
            id=strawberry.ID(str(r.id)), mentor_id=input.mentor_id, position=r.position
        )


@strawberry.type
class MentoringQuery:
    @strawberry.field(
        description="Current clear checks expiring within `withinDays` (default 30, at most "
        "366) of `asOf` (default today), and those already expired; soonest first."
    )
    async def clearances_expiring(
        self,
        info: Info,
        as_of: date | None = None,
        within_days: int = 30,
        at_least: AtLeast = None,
    ) -> list[Clearance]:
        if not 0 <= within_days <= MOST_DAYS_AHEAD:
            raise GraphQLError(
                f"withinDays must be 0 to {MOST_DAYS_AHEAD}",
                extensions={"code": "BAD_USER_INPUT", "argument": "withinDays"},
            )
        await info.context.see_at_least(at_least)
        found = await read.clearances_expiring(info.context.api.pool, as_of or today(), within_days)
        return [Clearance.from_view(v) for v in found]
