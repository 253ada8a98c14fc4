"""Hours in the API: the student logs them, the supervisor answers through the link mailed to
them (no account), the school approves. No answer carries the link's token, and what the link
opens shows only the entry to verify."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import strawberry
from bridgework.graphql import loaders
from bridgework.graphql.context import Info
from bridgework.graphql.directory.programs import PROGRAM, Program, program_of
from bridgework.graphql.directory.students import STUDENT, Student, student_of
from bridgework.graphql.enums import HoursStatus
from bridgework.graphql.errors import Failure, bad_input
from bridgework.graphql.policy import LINK, Policies, commands, link
from bridgework.graphql.run import AS_VIEWED, IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.shapes import copied, ident
from bridgework.projections.hours import (
    NO_HOURS,
    HoursView,
    hours_entries,
    hours_of_programs,
    hours_of_students,
    hours_totals_of_programs,
)
from bridgework.projections.hours import HoursTotals as HoursTotalsView
from bridgework.services import hours as hr
from bridgework.services.errors import InvalidInput
from bridgework.services.unit_of_work import CommandResult

HOURS_ENTRY = loaders.one(hours_entries)
HOURS_OF_STUDENT = loaders.many(hours_of_students)
HOURS_OF_PROGRAM = loaders.many(hours_of_programs)
HOURS_TOTALS = loaders.one(hours_totals_of_programs)


@strawberry.type
class HoursEntry:
    """A day's hours at a placement: submitted → verified | declined by the supervisor →
    approved | rejected by the school."""

    id: strawberry.ID
    worked_on: date
    hours: Decimal
    activity: str
    supervisor_name: str
    supervisor_email: str
    status: HoursStatus
    reason: str = strawberry.field(description="Why it was declined or rejected.")
    note: str = strawberry.field(description="The school's note on approving.")
    link_expires_at: datetime | None = strawberry.field(
        description="Until when the supervisor's latest link works."
    )
    submitted_at: datetime
    verified_at: datetime | None = strawberry.field(description="When the supervisor answered.")
    approved_at: datetime | None = strawberry.field(description="When the school answered.")
    view: strawberry.Private[HoursView]

    @classmethod
    def from_view(cls, v: HoursView) -> HoursEntry:
        return copied(cls, v, id=ident(v.id), status=HoursStatus(v.status), view=v)

    @strawberry.field
    async def student(self, info: Info) -> Student | None:
        return await student_of(info, self.view.student_id)

    @strawberry.field
    async def program(self, info: Info) -> Program | None:
        return await program_of(info, self.view.program_id)


@strawberry.type
class HoursTotals:
    """Hours in a program by how far they got."""

    submitted: Decimal
    verified: Decimal = strawberry.field(description="Confirmed by supervisors (approved too).")
    approved: Decimal
    awaiting_supervisor: int = strawberry.field(description="Entries no supervisor answered yet.")
    awaiting_school: int = strawberry.field(description="Verified entries awaiting the school.")

    @classmethod
    def from_view(cls, v: HoursTotalsView) -> HoursTotals:
        return copied(cls, v)


async def hours_of_student(info: Info, student_id: UUID) -> list[HoursEntry]:
    return [HoursEntry.from_view(v) for v in await HOURS_OF_STUDENT.load(info, student_id)]


async def hours_of_program(info: Info, program_id: UUID) -> list[HoursEntry]:
    return [HoursEntry.from_view(v) for v in await HOURS_OF_PROGRAM.load(info, program_id)]


async def totals_of(info: Info, program_id: UUID) -> HoursTotals:
    return HoursTotals.from_view(await HOURS_TOTALS.load(info, program_id) or NO_HOURS)


@strawberry.type
class HoursChanged(Recorded):
    """The entry is logged or answered."""

    log_id: strawberry.ID
    status: HoursStatus

    @strawberry.field(description=AS_VIEWED)
    async def entry(self, info: Info) -> HoursEntry | None:
        return await viewed(info, self.position, HOURS_ENTRY, self.log_id, HoursEntry.from_view)


HoursPayload = Annotated[HoursChanged | Failure, strawberry.union("HoursPayload")]


@strawberry.input
class SubmitHoursInput:
    """A day's hours in a program the student is in; a student may log only their own."""

    student_id: strawberry.ID
    program_id: strawberry.ID
    worked_on: date
    hours: Decimal = strawberry.field(description="More than 0, at most 24, two decimals.")
    activity: str
    supervisor_name: str
    supervisor_email: str
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class HoursEntryInput:
    log_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class VerifyHoursInput:
    """The supervisor's answer, authorised by the token of their link (no account needed)."""

    token: str
    supervisor_name: str
    verified: bool = strawberry.field(description="false declines the hours; give a reason.")
    reason: str = ""
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class ApproveHoursInput:
    log_id: strawberry.ID
    note: str = ""
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RejectHoursInput:
    log_id: strawberry.ID
    reason: str
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


def _changed(r: CommandResult) -> HoursChanged:
    return HoursChanged(log_id=ident(r.id), status=HoursStatus(str(r.status)), position=r.position)


@strawberry.type
class HoursToVerify:
    """What a supervisor's link shows: the entry to verify, and nothing else of the student."""

    student_name: str
    program_name: str
    worked_on: date
    hours: Decimal
    activity: str
    link_expires_at: datetime | None = strawberry.field(description="Until when the link works.")


@strawberry.type
class Query:
    @strawberry.field(
        description="What a supervisor's link asks them to verify, while the link works; needs "
        "no account. `atLeast` waits for the views to include a position."
    )
    async def hours_to_verify(
        self, info: Info, token: str, at_least: int | None = None
    ) -> HoursToVerify | None:
        try:
            log_id = await hr.entry_to_verify(info.context.api.deps, token)
        except InvalidInput as e:
            raise bad_input("token", e.message) from None
        await info.context.see_at_least(at_least)
        v = await HOURS_ENTRY.load(info, log_id)
        if v is None:
            return None
        # The link is the capability to see this entry's names, whoever holds it: read them
        # past the caller's reach (a supervisor has no account).
        pool = info.context.reads
        student = (await STUDENT.fetch(pool, [v.student_id])).get(v.student_id)
        program = (await PROGRAM.fetch(pool, [v.program_id])).get(v.program_id)
        return HoursToVerify(
            student_name="" if student is None else student.name,
            program_name="" if program is None else program.name,
            worked_on=v.worked_on,
            hours=v.hours,
            activity=v.activity,
            link_expires_at=v.link_expires_at,
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Log a day's hours; the supervisor's link is mailed to them.")
    async def submit_hours(self, info: Info, input: SubmitHoursInput) -> HoursPayload:
        return await run(info, hr.SubmitHours, input, _changed)

    @strawberry.mutation(
        description="A fresh link, mailed to the supervisor; older ones stop working."
    )
    async def resend_verification_link(self, info: Info, input: HoursEntryInput) -> HoursPayload:
        return await run(info, hr.ResendVerificationLink, input, _changed)

    @strawberry.mutation(description="The supervisor verifies or declines, through their link.")
    async def verify_hours(self, info: Info, input: VerifyHoursInput) -> HoursPayload:
        return await run(info, hr.VerifyHours, input, _changed)

    @strawberry.mutation(description="The school approves hours the supervisor verified.")
    async def approve_hours(self, info: Info, input: ApproveHoursInput) -> HoursPayload:
        return await run(info, hr.ApproveHours, input, _changed)

    @strawberry.mutation(description="The school rejects hours the supervisor verified.")
    async def reject_hours(self, info: Info, input: RejectHoursInput) -> HoursPayload:
        return await run(info, hr.RejectHours, input, _changed)


POLICIES: Policies = {
    "Query": {"hours_to_verify": LINK},
    "Mutation": commands(hr.HANDLERS) | {"verify_hours": link(hr.VerifyHours)},
}
"""Who may run each root field of this area (`policy.py`)."""
