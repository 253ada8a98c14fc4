"""Hours logs: the student submits, the outside supervisor verifies or declines through a
link mailed to them (no account), the school approves or rejects.

A link's token is the entry's id and a random secret. Only its SHA-256 is kept (in the log
and so nowhere else), beside the address it was mailed to; the token itself exists only in
the mail, which the outbox sends in the same transaction as the events that issue it. The
student, and any caller, only learns that a link was sent. Whether a link still works (the
latest issue, not yet used, not expired) is decided by the entry's own history.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, ClassVar
from urllib.parse import quote
from uuid import UUID

import msgspec
from bridgework.domain.base import day, replay
from bridgework.domain.errors import RuleViolated
from bridgework.domain.hours import HoursLog
from bridgework.domain.program import Program
from bridgework.domain.student import Student
from bridgework.services.authority import authorise_self
from bridgework.services.bus import Handlers
from bridgework.services.command import Command, Email, Name, Prose, Reason, Text
from bridgework.services.context import Actor, Role
from bridgework.services.enrolment import participant
from bridgework.services.errors import InvalidInput
from bridgework.services.ports import MailRefused, OutgoingMail
from bridgework.services.unit_of_work import (
    CommandResult,
    Deps,
    Session,
    execute,
)

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext

HANDLERS = Handlers()

SUPERVISOR_MAIL = "supervisor-link:"
"""How the dedupe key of a supervisor's mail starts (then the entry's id, a dot, the issue)."""

MAX_TOKEN = 500
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TOKEN)]
STUDENT_OR_COORDINATOR = frozenset({Role.COORDINATOR, Role.STUDENT})
OWN_HOURS = "log and resend only their own hours"
NOT_OURS = "token is not a verification link Bridgework issued (or it was altered)"


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


def token_hash(token: str) -> str:
    """What the log keeps of a link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def read_token(token: str) -> tuple[UUID, str]:
    """The entry a token names and the token's hash, or `InvalidInput` if it is not one."""
    if len(token) > MAX_TOKEN:
        raise InvalidInput("token", f"token is longer than {MAX_TOKEN} characters")
    entry, _, secret = token.partition(".")
    try:
        log_id = UUID(hex=entry)
    except ValueError:
        raise InvalidInput("token", NOT_OURS) from None
    if not secret:
        raise InvalidInput("token", NOT_OURS)
    return log_id, token_hash(token)


async def entry_to_verify(deps: Deps, token: str) -> UUID:
    """The entry a supervisor's link opens, if the link still works (as the log says, not
    a view); else `InvalidInput` saying why (the rule verifying with it would meet)."""
    log_id, hashed = read_token(token)
    log = replay(deps.codec.decode(e) for e in await deps.store.load(HoursLog.stream_id(log_id)))
    if not isinstance(log, HoursLog):
        raise InvalidInput("token", NOT_OURS)
    try:
        log.check_link(hashed, deps.clock())
    except RuleViolated as e:
        raise InvalidInput("token", e.message) from None
    return log.id


def link_token(log_id: UUID, secret: str) -> str:
    """The token of a link to an entry: what the mail carries, and nothing else does."""
    return f"{log_id.hex}.{secret}"


def _link(deps: Deps, log_id: UUID) -> tuple[str, str]:
    """A new link's token and its hash."""
    token = link_token(log_id, deps.new_token())
    return token, token_hash(token)


def _mail(deps: Deps, s: Session, log: HoursLog, token: str, names: tuple[str, str]) -> None:
    """The supervisor's mail with the link, sent with the events that issue it."""
    student, program = names
    assert log.link_expires_at is not None  # noqa: S101 - every issue sets it
    url = f"{deps.public_url.rstrip('/')}/verify-hours?token={quote(token)}"
    body = (
        f"Dear {log.supervisor_name},\n\n"
        f"{student} logged {log.hours} hours on {day(log.worked_on)} in {program}:\n"
        f"{log.activity}\n\n"
        f"Please verify or decline these hours through this link:\n{url}\n\n"
        f"The link works once, until {day(log.link_expires_at)}. "
        "Any earlier link for these hours no longer works.\n"
    )
    s.mail.append(
        OutgoingMail(
            dedupe_key=f"{SUPERVISOR_MAIL}{log.id}.{log.issue}",
            to=log.supervisor_email,
            subject=f"Please verify {student}'s hours on {day(log.worked_on)}",
            body=body,
        )
    )


def _issued(log: HoursLog) -> CommandResult:
    assert log.link_expires_at is not None  # noqa: S101 - every issue sets it
    return CommandResult(id=log.id, status=str(log.status), message=log.link_expires_at.isoformat())


@HANDLERS.of(SubmitHours)
async def submit_hours(deps: Deps, ctx: CommandContext, cmd: SubmitHours) -> CommandResult:
    """Log a day's hours at a placement; the supervisor's link is mailed to them."""
    authorise_self(ctx, Role.STUDENT, cmd.student_id, OWN_HOURS)

    async def decide(s: Session) -> CommandResult:
        program = await s.get(Program, cmd.program_id, "programId")
        student = (await s.get(Student, cmd.student_id, "studentId")).not_erased()
        await participant(s, program.id, student)
        log_id = deps.new_id()
        token, hashed = _link(deps, log_id)
        log = HoursLog.submit(
            id=log_id,
            student_id=student.id,
            program_id=program.id,
            organisation_ids=tuple(dict.fromkeys((*student.scope, *program.scope))),
            program_runs=(program.starts_on, program.ends_on),
            worked_on=cmd.worked_on,
            hours=cmd.hours,
            activity=cmd.activity,
            supervisor_name=cmd.supervisor_name,
            supervisor_email=cmd.supervisor_email,
            link_hash=hashed,
            link_expires_at=s.now + timedelta(days=deps.link_days),
            at=s.now,
        )
        s.add(log)
        _mail(deps, s, log, token, (student.name, program.name))
        return _issued(log)

    try:
        return await execute(deps, ctx, cmd, decide)
    except MailRefused as e:  # the outbox's rule for an address is stricter than the input's
        raise InvalidInput(
            "supervisorEmail", f"the supervisor's address cannot get mail: {e}"
        ) from None


@HANDLERS.of(ResendVerificationLink)
async def resend_verification_link(
    deps: Deps, ctx: CommandContext, cmd: ResendVerificationLink
) -> CommandResult:
    """A fresh link, mailed to the supervisor; earlier links for the entry stop working."""

    async def decide(s: Session) -> CommandResult:
        log = await s.get(HoursLog, cmd.log_id, "logId")
        authorise_self(ctx, Role.STUDENT, log.student_id, OWN_HOURS)
        token, hashed = _link(deps, log.id)
        log.issue_link(
            token_hash=hashed, expires_at=s.now + timedelta(days=deps.link_days), at=s.now
        )
        student = (await s.get(Student, log.student_id, "logId")).not_erased()
        program = await s.get(Program, log.program_id, "logId")
        _mail(deps, s, log, token, (student.name, program.name))
        return _issued(log)

    return await execute(deps, ctx, cmd, decide)


@HANDLERS.of(VerifyHours)
async def verify_hours(deps: Deps, ctx: CommandContext, cmd: VerifyHours) -> CommandResult:
    """The supervisor confirms the hours, or declines them with a reason. The link is the
    authority: the events name it as their actor, whoever sent the request."""
    log_id, hashed = read_token(cmd.token)
    ctx = msgspec.structs.replace(ctx, actor=Actor(f"link:{log_id}", Role.SUPERVISOR))

    async def decide(s: Session) -> CommandResult:
        log = await s.get(HoursLog, log_id, "token")
        if cmd.verified:
            log.verify(token_hash=hashed, supervisor_name=cmd.supervisor_name, at=s.now)
        else:
            log.decline(
                token_hash=hashed,
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
