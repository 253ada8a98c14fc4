"""Mentoring in the API: matches from assignment or proposal to their end, meetings, loads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated
from uuid import UUID

import strawberry
from bridgework.graphql import loaders
from bridgework.graphql.context import Info
from bridgework.graphql.directory.mentors import Mentor, mentor_of
from bridgework.graphql.directory.programs import (
    PROGRAM,
    ForStudentInProgram,
    Program,
    ProgramChange,
    changed,
    program_of,
)
from bridgework.graphql.directory.students import Student, student_of
from bridgework.graphql.enums import MatchClosure, ProposalStatus
from bridgework.graphql.errors import Failure, check_days
from bridgework.graphql.pages import AtLeast
from bridgework.graphql.policy import Policies, commands, staff
from bridgework.graphql.run import IDEMPOTENCY_KEY, Recorded, run
from bridgework.graphql.shapes import copied, ident
from bridgework.projections import mentoring as read
from bridgework.projections.db import today
from bridgework.projections.mentoring import MatchView, ProposalView
from bridgework.services.mentoring import (
    HANDLERS,
    AssignMentor,
    CloseMentorMatch,
    ConfirmMentorMatch,
    DeclineMentorMatch,
    LogMentorMeeting,
    ProposeMentorMatch,
)
from bridgework.services.unit_of_work import CommandResult

MATCHES_OF_MENTOR = loaders.many(read.matches_of_mentors)
MATCHES_OF_PROGRAM = loaders.many(read.matches_of_programs)
PROPOSALS_OF_MENTOR = loaders.many(read.proposals_of_mentors)
PROPOSALS_OF_PROGRAM = loaders.many(read.proposals_of_programs)


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
        closure = None if v.closure_reason is None else MatchClosure(v.closure_reason)
        return copied(cls, v, closure_reason=closure, view=v)

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
        return copied(cls, v, status=ProposalStatus(v.status), view=v)

    @strawberry.field
    async def mentor(self, info: Info) -> Mentor | None:
        return await mentor_of(info, self.view.mentor_id)

    @strawberry.field
    async def student(self, info: Info) -> Student | None:
        return await student_of(info, self.view.student_id)


@strawberry.type
class MentorMatchChanged(Recorded):
    """The match is proposed, confirmed, declined or closed, or its meeting logged."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    mentor_id: strawberry.ID


MentorMatchPayload = Annotated[MentorMatchChanged | Failure, strawberry.union("MentorMatchPayload")]


@strawberry.type
class MentorAssigned(ProgramChange):
    """The mentor now mentors the student in this program."""

    mentor_id: strawberry.ID


AssignMentorPayload = Annotated[MentorAssigned | Failure, strawberry.union("AssignMentorPayload")]


def _changed(input: ForStudentInProgram) -> Callable[[CommandResult], MentorMatchChanged]:
    return lambda r: MentorMatchChanged(
        program_id=input.program_id,
        student_id=input.student_id,
        mentor_id=ident(r.id),
        position=r.position,
    )


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
    """The mentor it was proposed to, or a coordinator, accepts a proposed match."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class DeclineMentorMatchInput:
    """The mentor it was proposed to, or a coordinator, turns a proposed match down."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    reason: str
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class AssignMentorInput:
    """Which mentor to match with which enrolled student, in which program."""

    program_id: strawberry.ID
    student_id: strawberry.ID
    mentor_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Match an enrolled student with a mentor who has room.")
    async def assign_mentor(self, info: Info, input: AssignMentorInput) -> AssignMentorPayload:
        assigned = changed(MentorAssigned, input, mentor_id=input.mentor_id)
        return await run(info, AssignMentor, input, assigned)

    @strawberry.mutation(description="Propose a match to a mentor; it starts once confirmed.")
    async def propose_mentor_match(
        self, info: Info, input: ProposeMentorMatchInput
    ) -> MentorMatchPayload:
        return await run(info, ProposeMentorMatch, input, _changed(input))

    @strawberry.mutation(description="The mentor confirms a proposed match: it is active.")
    async def confirm_mentor_match(
        self, info: Info, input: ConfirmMentorMatchInput
    ) -> MentorMatchPayload:
        return await run(info, ConfirmMentorMatch, input, _changed(input))

    @strawberry.mutation(description="The mentor declines a proposed match, with a reason.")
    async def decline_mentor_match(
        self, info: Info, input: DeclineMentorMatchInput
    ) -> MentorMatchPayload:
        return await run(info, DeclineMentorMatch, input, _changed(input))

    @strawberry.mutation(description="End a mentor match, with why; the mentor's place is freed.")
    async def close_mentor_match(
        self, info: Info, input: CloseMentorMatchInput
    ) -> MentorMatchPayload:
        return await run(info, CloseMentorMatch, input, _changed(input))

    @strawberry.mutation(description="Log a meeting between a student and their mentor.")
    async def log_mentor_meeting(
        self, info: Info, input: LogMentorMeetingInput
    ) -> MentorMatchPayload:
        return await run(info, LogMentorMeeting, input, _changed(input))


@strawberry.type
class Query:
    @strawberry.field(
        description="Open matches with no meeting logged in the `days` (default 30) before "
        "`asOf` (default today), quietest first."
    )
    async def quiet_mentor_matches(
        self, info: Info, as_of: date | None = None, days: int = 30, at_least: AtLeast = None
    ) -> list[MentorMatch]:
        check_days("days", days, least=1)
        await info.context.see_at_least(at_least)
        found = await read.quiet_matches(info.context.reads, as_of or today(), days)
        ours = await PROGRAM.load_many(info, [v.program_id for v in found])  # scoped
        return [MentorMatch.from_view(v) for v, p in zip(found, ours, strict=True) if p]


async def matches_of_mentor(info: Info, mentor_id: UUID) -> list[MentorMatch]:
    return [MentorMatch.from_view(v) for v in await MATCHES_OF_MENTOR.load(info, mentor_id)]


async def matches_of_program(info: Info, program_id: UUID) -> list[MentorMatch]:
    return [MentorMatch.from_view(v) for v in await MATCHES_OF_PROGRAM.load(info, program_id)]


async def proposals_of_mentor(info: Info, mentor_id: UUID) -> list[MentorMatchProposal]:
    found = await PROPOSALS_OF_MENTOR.load(info, mentor_id)
    return [MentorMatchProposal.from_view(v) for v in found]


async def proposals_of_program(info: Info, program_id: UUID) -> list[MentorMatchProposal]:
    found = await PROPOSALS_OF_PROGRAM.load(info, program_id)
    return [MentorMatchProposal.from_view(v) for v in found]


POLICIES: Policies = {"Query": {"quiet_mentor_matches": staff()}, "Mutation": commands(HANDLERS)}
"""Who may run each root field of this area (`policy.py`)."""
