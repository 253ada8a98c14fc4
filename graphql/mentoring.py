"""Mentoring in the API: background checks of mentors and internship hosts (and those about
to lapse), matches from assignment to their end, meetings, each mentor's load."""

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
from bridgework.graphql.types import (
    Info,
    Mentor,
    Program,
    Student,
    mentor_of,
    program_of,
    student_of,
)
from bridgework.projections import read
from bridgework.projections.views import MatchView, ProposalView
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
        return await mentor_of(info, UUID(self.mentor_id))


@strawberry.enum
class MatchClosure(Enum):
    """Why a mentor match ended."""

    GOALS_MET = "goals_met"
    MENTOR_MOVED = "mentor_moved"
    SCHEDULE = "schedule"
    MISMATCH = "mismatch"
    STUDENT_LEFT = "student_left"
    OTHER = "other"


@strawberry.type
class MentorMatch:
    """A mentor matched with a student in a program. A student who leaves closes it as
    STUDENT_LEFT; one who completes, as GOALS_MET."""

    started_on: date
    ended_on: date | None
    closure_reason: MatchClosure | None
    note: str
    meetings: int
    meeting_minutes: int
    last_met_on: date | None
    view: strawberry.Private[MatchView]

    @classmethod
    def from_view(cls, v: MatchView) -> MentorMatch:
        return cls(
            started_on=v.started_on, ended_on=v.ended_on,
            closure_reason=None if v.closure_reason is None else MatchClosure(v.closure_reason),
            note=v.note, meetings=v.meetings, meeting_minutes=v.meeting_minutes,
            last_met_on=v.last_met_on, view=v,
        )  # fmt: skip

    @strawberry.field(description="Days from its start to its end, or to `asOf` (default today).")
    def length_days(self, as_of: date | None = None) -> int:
        return ((self.ended_on or as_of or today()) - self.started_on).days

    @strawberry.field
    async def mentor(self, info: Info) -> Mentor | None:
        return await mentor_of(info, self.view.mentor_id)

    @strawberry.field
    async def student(self, info: Info) -> Student | None:
        return await student_of(info, self.view.student_id)

    @strawberry.field
    async def program(self, info: Info) -> Program | None:
        return await program_of(info, self.view.program_id)


@strawberry.enum
class ProposalStatus(Enum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    LAPSED = "lapsed"


@strawberry.type
class MentorMatchProposal:
    """A match put to a mentor: PROPOSED until they answer; CONFIRMED starts the match;
    LAPSED when the student left, completed or was matched with someone else first."""

    proposed_on: date
    answered_on: date | None
    status: ProposalStatus
    reason: str = strawberry.field(description="Why it was declined.")
    view: strawberry.Private[ProposalView]

    @classmethod
    def from_view(cls, v: ProposalView) -> MentorMatchProposal:
        return cls(
            proposed_on=v.proposed_on, answered_on=v.answered_on,
            status=ProposalStatus(v.status), reason=v.reason, view=v,
        )  # fmt: skip

    @strawberry.field
    async def mentor(self, info: Info) -> Mentor | None:
        return await mentor_of(info, self.view.mentor_id)

    @strawberry.field
    async def student(self, info: Info) -> Student | None:
        return await student_of(info, self.view.student_id)


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


@strawberry.type
class MentorMatchChanged(Recorded):
    """The match is proposed, confirmed, declined or closed, or its meeting logged."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    mentor_id: strawberry.ID


MentorMatchPayload = Annotated[MentorMatchChanged | Failure, strawberry.union("MentorMatchPayload")]


def _match_changed(
    r: CommandResult | Failure, program_id: strawberry.ID, student_id: strawberry.ID
) -> MentorMatchPayload:
    if not isinstance(r, CommandResult):
        return r
    return MentorMatchChanged(
        program_id=program_id, student_id=student_id, mentor_id=strawberry.ID(str(r.id)),
        position=r.position,
    )  # fmt: skip


@strawberry.input
class CloseMentorMatchInput:
    """End a student's mentor match, and say why."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    reason: MatchClosure
    note: str = ""
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class LogMentorMeetingInput:
    """A meeting between a student and their mentor: when, and for how long (1 to 600)."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    met_on: date
    minutes: int
    notes: str = ""
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class ProposeMentorMatchInput:
    """Put a match to a cleared mentor with room; it starts when they confirm it."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    mentor_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class ConfirmMentorMatchInput:
    """A mentor (`X-Actor: mentor:<their id>`) or a coordinator accepts a proposed match."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class DeclineMentorMatchInput:
    """A mentor (`X-Actor: mentor:<their id>`) or a coordinator turns a proposed match down."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    reason: str
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


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

    @strawberry.mutation(description="Propose a match to a mentor; it starts once confirmed.")
    async def propose_mentor_match(
        self, info: Info, input: ProposeMentorMatchInput
    ) -> MentorMatchPayload:
        r = await run(info, m.propose_mentor_match, m.ProposeMentorMatch, input)
        return _match_changed(r, input.program_id, input.student_id)

    @strawberry.mutation(description="The mentor confirms a proposed match: it is active.")
    async def confirm_mentor_match(
        self, info: Info, input: ConfirmMentorMatchInput
    ) -> MentorMatchPayload:
        r = await run(info, m.confirm_mentor_match, m.ConfirmMentorMatch, input)
        return _match_changed(r, input.program_id, input.student_id)

    @strawberry.mutation(description="The mentor declines a proposed match, with a reason.")
    async def decline_mentor_match(
        self, info: Info, input: DeclineMentorMatchInput
    ) -> MentorMatchPayload:
        r = await run(info, m.decline_mentor_match, m.DeclineMentorMatch, input)
        return _match_changed(r, input.program_id, input.student_id)

    @strawberry.mutation(description="End a mentor match, with why; the mentor's place is freed.")
    async def close_mentor_match(
        self, info: Info, input: CloseMentorMatchInput
    ) -> MentorMatchPayload:
        r = await run(info, m.close_mentor_match, m.CloseMentorMatch, input)
        return _match_changed(r, input.program_id, input.student_id)

    @strawberry.mutation(description="Log a meeting between a student and their mentor.")
    async def log_mentor_meeting(
        self, info: Info, input: LogMentorMeetingInput
    ) -> MentorMatchPayload:
        r = await run(info, m.log_mentor_meeting, m.LogMentorMeeting, input)
        return _match_changed(r, input.program_id, input.student_id)


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

    @strawberry.field(
        description="Open matches with no meeting logged in the `days` (default 30) before "
        "`asOf` (default today), quietest first."
    )
    async def quiet_mentor_matches(
        self, info: Info, as_of: date | None = None, days: int = 30, at_least: AtLeast = None
    ) -> list[MentorMatch]:
        if not 1 <= days <= MOST_DAYS_AHEAD:
            raise GraphQLError(
                f"days must be 1 to {MOST_DAYS_AHEAD}",
                extensions={"code": "BAD_USER_INPUT", "argument": "days"},
            )
        await info.context.see_at_least(at_least)
        found = await read.quiet_matches(info.context.api.pool, as_of or today(), days)
        return [MentorMatch.from_view(v) for v in found]


async def mentor_load(info: Info, mentor: Mentor, as_of: date) -> MentorLoad:
    found = (await read.mentor_loads(info.context.api.pool, [mentor.view.id], as_of)).get(
        mentor.view.id
    )
    return MentorLoad(
        capacity=mentor.capacity,
        active=0 if found is None else found.active,
        closed=0 if found is None else found.closed,
        closed_early=0 if found is None else found.closed_early,
        average_days=None if found is None else found.average_days,
    )
