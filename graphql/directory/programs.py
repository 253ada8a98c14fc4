"""Programs: what a partnership runs, and every other area's facts about each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar
from uuid import UUID

import strawberry
from bridgework.graphql import loaders, reach
from bridgework.graphql.context import Info
from bridgework.graphql.enums import ProgramKind
from bridgework.graphql.errors import Failure
from bridgework.graphql.history import history_field
from bridgework.graphql.lazy import area, later
from bridgework.graphql.pages import (
    AtLeast,
    PageInfo,
    after_argument,
    encode_cursor,
    page_size,
    paginate,
    parse_id,
)
from bridgework.graphql.run import AS_VIEWED, IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.shapes import copied, ident
from bridgework.projections.directory import ProgramView, list_programs, programs
from bridgework.services.directory import LaunchProgram
from bridgework.services.unit_of_work import CommandResult

# Other areas' types and resolvers this one serves: typed for mypy, found when first called
# (`lazy.py`), since those areas import this one.
if TYPE_CHECKING:
    from bridgework.graphql.attendance import (
        ProgramSession,
        StudentAttendance,
        attendance_of,
        sessions_of,
    )
    from bridgework.graphql.enrolment import (
        Eligibility,
        ProgramEnrollment,
        eligibility_of,
        enrollment_of,
    )
    from bridgework.graphql.hours import HoursEntry, HoursTotals, hours_of_program, totals_of
    from bridgework.graphql.mentoring import (
        MentorMatch,
        MentorMatchProposal,
        matches_of_program,
        proposals_of_program,
    )
    from bridgework.graphql.outcomes import ProgramOutcome, Showcase, outcome_of, showcases_of
    from bridgework.graphql.partnerships.lifecycle import Partnership, partnership_of
    from bridgework.graphql.surveys import SurveyResult, results_of
else:
    sessions_of = later("attendance", "sessions_of")
    attendance_of = later("attendance", "attendance_of")
    results_of = later("surveys", "results_of")
    hours_of_program = later("hours", "hours_of_program")
    totals_of = later("hours", "totals_of")
    proposals_of_program = later("mentoring", "proposals_of_program")
    matches_of_program = later("mentoring", "matches_of_program")
    eligibility_of = later("enrolment", "eligibility_of")
    partnership_of = later("partnerships.lifecycle", "partnership_of")
    enrollment_of = later("enrolment", "enrollment_of")
    outcome_of = later("outcomes", "outcome_of")
    showcases_of = later("outcomes", "showcases_of")

PROGRAM = loaders.one(programs, reach.programs)
MAX_PROGRAMS = 100

_attendance = area("attendance")
_enrolment = area("enrolment")
_hours = area("hours")
_mentoring = area("mentoring")
_outcomes = area("outcomes")
_partnerships = area("partnerships.lifecycle")
_surveys = area("surveys")


@strawberry.type
class Program:
    """An internship, mentorship, club, workshop, bootcamp, …"""

    id: strawberry.ID
    name: str
    kind: ProgramKind
    capacity: int
    starts_on: date
    ends_on: date
    launched_at: datetime
    view: strawberry.Private[ProgramView]
    history = history_field("program", names_program=True)

    @classmethod
    def from_view(cls, v: ProgramView) -> Program:
        return copied(cls, v, id=ident(v.id), kind=ProgramKind(v.kind), view=v)

    @strawberry.field(description="The program's sessions in date order, with who came.")
    async def sessions(self, info: Info) -> list[Annotated[ProgramSession, _attendance]]:
        return await sessions_of(info, self.view.id)

    @strawberry.field(description="Each marked student's attendance; `flagged` ones first.")
    async def attendance(self, info: Info) -> list[Annotated[StudentAttendance, _attendance]]:
        return await attendance_of(info, self.view.id)

    @strawberry.field(
        description="Per survey question, pre and post over the students who answered both."
    )
    async def survey_results(self, info: Info) -> list[Annotated[SurveyResult, _surveys]]:
        return await results_of(info, self.view.id)

    @strawberry.field(description="Students' hours in the program, by the day worked.")
    async def hours(self, info: Info) -> list[Annotated[HoursEntry, _hours]]:
        return await hours_of_program(info, self.view.id)

    @strawberry.field(description="Hours submitted, verified and approved, and what waits.")
    async def hours_totals(self, info: Info) -> Annotated[HoursTotals, _hours]:
        return await totals_of(info, self.view.id)

    @strawberry.field(description="Matches proposed in the program and their answers.")
    async def mentor_proposals(
        self, info: Info
    ) -> list[Annotated[MentorMatchProposal, _mentoring]]:
        return await proposals_of_program(info, self.view.id)

    @strawberry.field(description="Mentor matches in the program, oldest first.")
    async def mentor_matches(self, info: Info) -> list[Annotated[MentorMatch, _mentoring]]:
        return await matches_of_program(info, self.view.id)

    @strawberry.field(description="Who the program is for.")
    def eligibility(self) -> Annotated[Eligibility, _enrolment]:
        return eligibility_of(self.view)

    @strawberry.field
    async def partnership(self, info: Info) -> Annotated[Partnership, _partnerships] | None:
        return await partnership_of(info, self.view.partnership_id)

    @strawberry.field(description="Seats, waitlist and every student's status.")
    async def enrollment(self, info: Info) -> Annotated[ProgramEnrollment, _enrolment] | None:
        return await enrollment_of(info, self.view.id)

    @strawberry.field(description="Showcases, completions and mentoring so far.")
    async def outcome(self, info: Info) -> Annotated[ProgramOutcome, _outcomes] | None:
        return await outcome_of(info, self.view.id)

    @strawberry.field(description="Showcases, earliest first.")
    async def showcases(self, info: Info) -> list[Annotated[Showcase, _outcomes]]:
        return await showcases_of(info, self.view.id)


async def program_of(info: Info, program_id: UUID) -> Program | None:
    found = await PROGRAM.load(info, program_id)
    return None if found is None else Program.from_view(found)


async def programs_of(info: Info, ids: list[UUID]) -> list[Program]:
    """The programs the views have, in the order asked."""
    found = await PROGRAM.load_many(info, ids)
    return [Program.from_view(p) for p in found if p is not None]


@strawberry.interface
class ProgramChange(Recorded):
    """A command about one student in one program."""

    program_id: strawberry.ID
    student_id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def program(self, info: Info) -> Program | None:
        return await viewed(info, self.position, PROGRAM, self.program_id, Program.from_view)


P = TypeVar("P", bound=ProgramChange)


class ForStudentInProgram(Protocol):
    """An input about one student in one program."""

    program_id: strawberry.ID
    student_id: strawberry.ID


def changed(
    kind: Callable[..., P], given: ForStudentInProgram, **facts: Any
) -> Callable[[CommandResult], P]:
    """The success of a command about `given`'s student in its program: a `kind` with their
    ids, the position written and `facts`."""
    return lambda r: kind(
        program_id=given.program_id, student_id=given.student_id, position=r.position, **facts
    )


@strawberry.type
class ProgramLaunched(Recorded):
    """The program is launched and open for enrolment."""

    id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def program(self, info: Info) -> Program | None:
        return await viewed(info, self.position, PROGRAM, self.id, Program.from_view)


LaunchProgramPayload = Annotated[
    ProgramLaunched | Failure, strawberry.union("LaunchProgramPayload")
]


@strawberry.input
class LaunchProgramInput:
    """A new program: what, for how many, and when."""

    partnership_id: strawberry.ID
    name: str
    kind: ProgramKind
    capacity: int = strawberry.field(description="Seats, 1 to 10,000.")
    starts_on: date
    ends_on: date = strawberry.field(description="On or after `startsOn`.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class ProgramEdge:
    """One program and the cursor to continue after it."""

    cursor: str
    node: Program


@strawberry.type
class ProgramConnection:
    """A page of programs, in launch order."""

    edges: list[ProgramEdge]
    page_info: PageInfo


@strawberry.type
class Query:
    @strawberry.field(description="A program by id, with its enrolment and outcome views.")
    async def program(
        self, info: Info, id: strawberry.ID, at_least: AtLeast = None
    ) -> Program | None:
        await info.context.see_at_least(at_least)
        return await program_of(info, parse_id("id", id))

    @strawberry.field(description="Programs in launch order, a page at a time.")
    async def programs(
        self,
        info: Info,
        *,
        first: int = 20,
        after: str | None = None,
        kind: ProgramKind | None = None,
        partnership_id: strawberry.ID | None = None,
        at_least: AtLeast = None,
    ) -> ProgramConnection:
        limit = page_size("first", first, MAX_PROGRAMS)
        after_seq = after_argument("program", after)
        partnership = None if partnership_id is None else parse_id("partnershipId", partnership_id)
        await info.context.see_at_least(at_least)
        found = await list_programs(
            info.context.reads,
            of_organisations=reach.reach_of(info).scope,
            after_seq=None if after_seq is None else after_seq[0],
            limit=limit + 1,
            kind=None if kind is None else kind.value,
            partnership_id=partnership,
        )
        rows, page = paginate(found, limit, after, lambda p: encode_cursor("program", p.seq))
        edges = [ProgramEdge(cursor=c, node=Program.from_view(p)) for c, p in rows]
        return ProgramConnection(edges=edges, page_info=page)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Launch a program under a partnership.")
    async def launch_program(self, info: Info, input: LaunchProgramInput) -> LaunchProgramPayload:
        return await run(
            info,
            LaunchProgram,
            input,
            lambda r: ProgramLaunched(id=ident(r.id), position=r.position),
        )
