"""Hours logs: the student submits, the outside supervisor verifies or declines through a
signed link (no account), the school approves or rejects.

The link carries a token: the entry's id and the link's issue number, signed with the
deployment's secret key. Whether it still works (the latest issue, not yet used, not
expired) is decided by the entry's own history, so it is auditable and cannot be replayed.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, ClassVar
from uuid import UUID

import msgspec
from bridgework.domain.hours import HoursLog
from bridgework.domain.program import Program
from bridgework.domain.student import Student
from bridgework.services.bus import Handlers
from bridgework.services.command import Command, Email, Name, Prose, Reason, Text
from bridgework.services.context import Actor, Role
from bridgework.services.enrolment import participant
from bridgework.services.errors import InvalidInput
from bridgework.services.unit_of_work import (
    CommandResult,
    Deps,
    Session,
    authorise_self,
    execute,
)
from itsdangerous import BadSignature, URLSafeSerializer

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext

HANDLERS = Handlers()

MAX_TOKEN = 500
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TOKEN)]
STUDENT_OR_COORDINATOR = frozenset({Role.COORDINATOR, Role.STUDENT})
OWN_HOURS = "log and resend only their own hours"
_SALT = "bridgework.hours-verification"


class SubmitHours(Command):
    allowed_roles: ClassVar[frozenset[Role]] = STUDENT_OR_COORDINATOR

    student_id: UUID
    program_id: UUID
    worked_on: date
    hours: Decimal
    activity: Prose
    supervisor_name: Name
    supervisor_email: Email

    def check(self) -> None:
        exponent = self.hours.as_tuple().exponent
        if not self.hours.is_finite() or (isinstance(exponent, int) and exponent < -2):  # noqa: PLR2004
            raise InvalidInput("hours", "hours must be a number with at most two decimals")


class ResendVerificationLink(Command):
    allowed_roles: ClassVar[frozenset[Role]] = STUDENT_OR_COORDINATOR

    log_id: UUID


class VerifyHours(Command):
    allowed_roles: ClassVar[frozenset[Role]] = frozenset(Role)
    """The token is the authority here, not the caller's role."""

    token: Token
    supervisor_name: Name
    verified: bool
    reason: Text = ""

    def check(self) -> None:
        if not self.verified and not self.reason.strip():
            raise InvalidInput("reason", "reason is required to decline hours")


class ApproveHours(Command):
    log_id: UUID
    note: Text = ""


class RejectHours(Command):
    log_id: UUID
    reason: Reason


class LinkClaims(msgspec.Struct, frozen=True):
    log: UUID
    issue: int


def _serializer(deps: Deps) -> URLSafeSerializer:
    if not deps.secret_key:
        raise RuntimeError("no secret key to sign verification links with")
    return URLSafeSerializer(deps.secret_key, salt=_SALT)


def link_token(deps: Deps, log_id: UUID, issue: int) -> str:
    """The token of a supervisor's link; the API returns it, never the log."""
    return _serializer(deps).dumps({"log": str(log_id), "issue": issue})


def read_token(deps: Deps, token: str) -> LinkClaims:
    """The entry and link issue a token names, or `InvalidInput` if it is not one we signed."""
    if len(token) > MAX_TOKEN:
        raise InvalidInput("token", f"token is longer than {MAX_TOKEN} characters")
    try:
        return msgspec.convert(_serializer(deps).loads(token), LinkClaims)
    except (BadSignature, msgspec.ValidationError):
        raise InvalidInput(
            "token", "token is not a verification link Bridgework issued (or it was altered)"
        ) from None


def _issued(deps: Deps, log: HoursLog) -> CommandResult:
    assert log.link_expires_at is not None  # noqa: S101 - every issue sets it
    return CommandResult(
        id=log.id,
        status=str(log.status),
        message=log.link_expires_at.isoformat(),
        token=link_token(deps, log.id, log.issue),
    )


@HANDLERS.of(SubmitHours)
async def submit_hours(deps: Deps, ctx: CommandContext, cmd: SubmitHours) -> CommandResult:
    """Log a day's hours at a placement; returns the token of the supervisor's link."""
    authorise_self(ctx, Role.STUDENT, cmd.student_id, OWN_HOURS)

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = await s.get(Student, cmd.student_id, "studentId")
        await participant(s, program.id, student)
        log = HoursLog.submit(
            id=deps.new_id(),
            student_id=student.id,
            program_id=program.id,
            program_runs=(program.starts_on, program.ends_on),
            worked_on=cmd.worked_on,
            hours=cmd.hours,
            activity=cmd.activity,
            supervisor_name=cmd.supervisor_name,
            supervisor_email=cmd.supervisor_email,
            link_expires_at=s.now + timedelta(days=deps.link_days),
            at=s.now,
        )
        s.add(log)
        return _issued(deps, log)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(ResendVerificationLink)
async def resend_verification_link(
    deps: Deps, ctx: CommandContext, cmd: ResendVerificationLink
) -> CommandResult:
    """A fresh link for the supervisor; earlier links for the entry stop working."""

    async def decide(s: Session) -> CommandResult:
        log = await s.get(HoursLog, cmd.log_id, "logId")
        authorise_self(ctx, Role.STUDENT, log.student_id, OWN_HOURS)
        log.issue_link(expires_at=s.now + timedelta(days=deps.link_days), at=s.now)
        return _issued(deps, log)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(VerifyHours)
async def verify_hours(deps: Deps, ctx: CommandContext, cmd: VerifyHours) -> CommandResult:
    """The supervisor confirms the hours, or declines them with a reason. The link is the
    authority: the events name it as their actor, whoever sent the request."""
    claims = read_token(deps, cmd.token)
    ctx = msgspec.structs.replace(ctx, actor=Actor(f"link:{claims.log}", Role.SUPERVISOR))

    async def decide(s: Session) -> CommandResult:
        log = await s.get(HoursLog, claims.log, "token")
        if cmd.verified:
            log.verify(issue=claims.issue, supervisor_name=cmd.supervisor_name, at=s.now)
        else:
            log.decline(
                issue=claims.issue,
                supervisor_name=cmd.supervisor_name,
                reason=cmd.reason,
                at=s.now,
            )
        return CommandResult(id=log.id, status=str(log.status))

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(ApproveHours)
async def approve_hours(deps: Deps, ctx: CommandContext, cmd: ApproveHours) -> CommandResult:
    """The school approves hours the supervisor verified."""

    async def decide(s: Session) -> CommandResult:
        log = await s.get(HoursLog, cmd.log_id, "logId")
        log.approve(note=cmd.note, at=s.now)
        return CommandResult(id=log.id, status=str(log.status))

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(RejectHours)
async def reject_hours(deps: Deps, ctx: CommandContext, cmd: RejectHours) -> CommandResult:
    """The school rejects hours the supervisor verified, with a reason."""

    async def decide(s: Session) -> CommandResult:
        log = await s.get(HoursLog, cmd.log_id, "logId")
        log.reject(reason=cmd.reason, at=s.now)
        return CommandResult(id=log.id, status=str(log.status))

    return await execute(deps, ctx, cmd, decide)
