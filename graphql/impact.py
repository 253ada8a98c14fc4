"""Impact in the API: the report a school publishes to its partners, per partnership and
period, and the self-reported demographics its breakdowns use (never shown for fewer than
five students)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import strawberry
from bridgework.graphql.context import Info
from bridgework.graphql.directory.programs import Program, programs_of
from bridgework.graphql.directory.students import STUDENT, Student
from bridgework.graphql.enums import Demographic
from bridgework.graphql.errors import Failure, bad_input
from bridgework.graphql.pages import AtLeast, parse_id
from bridgework.graphql.partnerships.lifecycle import PARTNERSHIP
from bridgework.graphql.policy import Policies, commands, staff
from bridgework.graphql.run import AS_VIEWED, IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.shapes import copied
from bridgework.graphql.surveys import SurveyResult
from bridgework.projections.impact import MIN_GROUP, impact_report
from bridgework.projections.impact import ImpactGroup as ImpactGroupView
from bridgework.projections.impact import ImpactNumbers as ImpactNumbersView
from bridgework.projections.impact import ImpactReport as ImpactReportView
from bridgework.services.impact import HANDLERS, ReportDemographics

MAX_PERIOD_DAYS = 3660
"""About ten years: a report's period is at most this long."""


@strawberry.type
class PathwayCount:
    pathway: str
    students: int


@strawberry.type
class ImpactNumbers:
    """What programs achieved with their students over a period."""

    students: int = strawberry.field(description="Distinct students who held a seat.")
    seats: int = strawberry.field(description="Seats held; a student in two programs counts twice.")
    completions: int
    completion_rate: float | None = strawberry.field(description="Completions ÷ seats held.")
    hours_verified: Decimal = strawberry.field(
        description="Verified by supervisors (approved included), for days worked in the period."
    )
    hours_approved: Decimal
    attendance_rate: float | None = strawberry.field(
        description="Present ÷ marks at sessions held in the period."
    )
    credentials: int = strawberry.field(description="Earned in the period.")
    pathways: list[PathwayCount] = strawberry.field(description="Students per pathway.")
    placements: int = strawberry.field(
        description="Students with an internship offer, job offer or apprenticeship."
    )
    surveys: list[SurveyResult] = strawberry.field(
        description="Per question, over pairs whose post survey falls in the period."
    )

    @classmethod
    def from_view(cls, v: ImpactNumbersView) -> ImpactNumbers:
        pathways = [PathwayCount(pathway=p, students=n) for p, n in v.pathways.items()]
        surveys = [SurveyResult.from_view(d) for d in v.surveys]
        return copied(cls, v, pathways=pathways, surveys=surveys)


@strawberry.type
class ImpactGroup:
    """One row of a breakdown. `suppressed` rows have no numbers: they cover fewer than
    five students, or would let such a row be worked out from the total."""

    label: str
    suppressed: bool
    numbers: ImpactNumbers | None

    @classmethod
    def from_view(cls, v: ImpactGroupView) -> ImpactGroup:
        numbers = None if v.numbers is None else ImpactNumbers.from_view(v.numbers)
        return cls(label=v.label, suppressed=v.numbers is None, numbers=numbers)


@strawberry.type
class ImpactBreakdown:
    by: str = strawberry.field(description="program_kind, or a demographic field.")
    groups: list[ImpactGroup]


@strawberry.type
class ImpactReport:
    """What a partnership's programs that ran during a period achieved: totals, and
    breakdowns by program kind and by each self-reported demographic field in groups of at
    least five students ('not reported' is a group of its own)."""

    starts_on: date
    ends_on: date
    minimum_group: int = strawberry.field(description="The smallest group a breakdown shows.")
    totals: ImpactNumbers
    breakdowns: list[ImpactBreakdown]
    program_ids: strawberry.Private[list[UUID]]

    @strawberry.field(description="The programs counted: those that ran during the period.")
    async def programs(self, info: Info) -> list[Program]:
        return await programs_of(info, self.program_ids)

    @classmethod
    def from_view(cls, r: ImpactReportView) -> ImpactReport:
        breakdowns = [
            ImpactBreakdown(by=b.by, groups=[ImpactGroup.from_view(g) for g in b.groups])
            for b in r.breakdowns
        ]
        totals = ImpactNumbers.from_view(r.totals)
        return copied(cls, r, minimum_group=MIN_GROUP, totals=totals, breakdowns=breakdowns)


@strawberry.type
class DemographicsReported(Recorded):
    """The student's report replaced any earlier one."""

    student_id: strawberry.ID

    @strawberry.field(description=AS_VIEWED)
    async def student(self, info: Info) -> Student | None:
        return await viewed(info, self.position, STUDENT, self.student_id, Student.from_view)


DemographicsPayload = Annotated[
    DemographicsReported | Failure, strawberry.union("DemographicsPayload")
]


@strawberry.input
class DemographicAnswerInput:
    field: Demographic
    value: str = strawberry.field(description="The student's own words or a form's choice.")


@strawberry.input
class ReportDemographicsInput:
    """What a student chooses to tell about themselves; every field is optional, and an
    empty list withdraws an earlier report. Students (signed in as themselves) report their
    own."""

    student_id: strawberry.ID
    answers: list[DemographicAnswerInput]
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type
class Query:
    @strawberry.field(
        description="The impact report of a partnership over a period (both ends included)."
    )
    async def impact_report(
        self,
        info: Info,
        partnership_id: strawberry.ID,
        starts_on: date,
        ends_on: date,
        at_least: AtLeast = None,
    ) -> ImpactReport | None:
        partnership = parse_id("partnershipId", partnership_id)
        if ends_on < starts_on:
            raise bad_input("endsOn", "must not be before startsOn")
        if (ends_on - starts_on).days > MAX_PERIOD_DAYS:
            raise bad_input("endsOn", f"a period is at most {MAX_PERIOD_DAYS} days")
        await info.context.see_at_least(at_least)
        if await PARTNERSHIP.load(info, partnership) is None:
            return None
        pool = info.context.reads
        # One snapshot: every number in the report agrees with every other.
        async with (
            pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            report = await impact_report(conn, partnership, starts_on, ends_on)
        return ImpactReport.from_view(report)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Record what a student chooses to report about themselves.")
    async def report_demographics(
        self, info: Info, input: ReportDemographicsInput
    ) -> DemographicsPayload:
        return await run(
            info,
            ReportDemographics,
            input,
            lambda r: DemographicsReported(student_id=input.student_id, position=r.position),
        )


POLICIES: Policies = {"Query": {"impact_report": staff()}, "Mutation": commands(HANDLERS)}
"""Who may run each root field of this area (`policy.py`)."""
