"""Hours in the API: the student logs them, the supervisor answers through a signed link
(no account), the school approves."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from bridgework.domain.hours import HoursStatus
from bridgework.graphql.errors import Failure, bad_input
from bridgework.graphql.mutations import AS_VIEWED, IDEMPOTENCY_KEY, Recorded, run, viewed
from bridgework.graphql.types import Info, Program, Student, program_of, student_of
from bridgework.projections.views import HoursView
from bridgework.services import hours as hr
from bridgework.services.errors import InvalidInput
from bridgework.services.unit_of_work import CommandResult

if TYPE_CHECKING:
    from bridgework.projections.views import HoursTotals as HoursTotalsView


strawberry.enum(HoursStatus, description="Where an entry of hours stands.")


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
        return cls(
            id=strawberry.ID(str(v.id)), worked_on=v.worked_on, hours=v.hours,
            activity=v.activity, supervisor_name=v.supervisor_name,
            supervisor_email=v.supervisor_email, status=HoursStatus(v.status), reason=v.reason,
            note=v.note, link_expires_at=v.link_expires_at, submitted_at=v.submitted_at,
            verified_at=v.verified_at, approved_at=v.approved_at, view=v,
        )  # fmt: skip

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
        return cls(
            submitted=v.submitted, verified=v.verified, approved=v.approved,
            awaiting_supervisor=v.awaiting_supervisor, awaiting_school=v.awaiting_school,
        )  # fmt: skip


@strawberry.type
class HoursChanged(Recorded):
    """The entry is logged or answered."""

    log_id: strawberry.ID
    status: HoursStatus
    verification_token: str | None = strawberry.field(
        description="For the supervisor's link (logging and resending only): whoever holds "
        "it can verify or decline these hours, once, until it expires. Send it to the "
        "supervisor; it is not shown again."
    )

    @strawberry.field(description=AS_VIEWED)
    async def entry(self, info: Info) -> HoursEntry | None:
        found = await viewed(info, self.position, info.context.loaders.hours_entry, self.log_id)
        return None if found is None else HoursEntry.from_view(found)


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


def _changed(r: CommandResult | Failure) -> HoursPayload:
    if not isinstance(r, CommandResult):
        return r
    return HoursChanged(
        log_id=strawberry.ID(str(r.id)), status=HoursStatus(str(r.status)), position=r.position,
        verification_token=r.token,
    )  # fmt: skip


@strawberry.type
class HoursQuery:
    @strawberry.field(
        description="What a supervisor's link asks them to verify; needs no account. "
        "`atLeast` waits for the views to include a position."
    )
    async def hours_to_verify(
        self, info: Info, token: str, at_least: int | None = None
    ) -> HoursEntry | None:
        try:
            claims = hr.read_token(info.context.api.deps, token)
        except InvalidInput as e:
            raise bad_input("token", e.message) from None
        await info.context.see_at_least(at_least)
        found = await info.context.loaders.hours_entry.load(claims.log)
        return None if found is None else HoursEntry.from_view(found)


@strawberry.type
class HoursMutation:
    @strawberry.mutation(description="Log a day's hours; returns the supervisor's link token.")
    async def submit_hours(self, info: Info, input: SubmitHoursInput) -> HoursPayload:
        return _changed(await run(info, hr.submit_hours, hr.SubmitHours, input))

    @strawberry.mutation(description="A fresh link for the supervisor; older ones stop working.")
    async def resend_verification_link(self, info: Info, input: HoursEntryInput) -> HoursPayload:
        return _changed(
            await run(info, hr.resend_verification_link, hr.ResendVerificationLink, input)
        )

    @strawberry.mutation(description="The supervisor verifies or declines, through their link.")
    async def verify_hours(self, info: Info, input: VerifyHoursInput) -> HoursPayload:
        return _changed(await run(info, hr.verify_hours, hr.VerifyHours, input))

    @strawberry.mutation(description="The school approves hours the supervisor verified.")
    async def approve_hours(self, info: Info, input: ApproveHoursInput) -> HoursPayload:
        return _changed(await run(info, hr.approve_hours, hr.ApproveHours, input))

    @strawberry.mutation(description="The school rejects hours the supervisor verified.")
    async def reject_hours(self, info: Info, input: RejectHoursInput) -> HoursPayload:
        return _changed(await run(info, hr.reject_hours, hr.RejectHours, input))
