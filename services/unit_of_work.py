"""Load → decide → append with expected versions, retried on conflict, once per command id.

A handler gives `execute()` a `decide` function; `execute()` runs it against freshly loaded
aggregates, appends what they recorded in one transaction, and retries the whole thing
(bounded, with jittered backoff) when another writer got there first.
"""

from __future__ import annotations

import asyncio
import functools
import random
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec
from bridgework.domain.errors import DomainError
from bridgework.services.authority import authorise
from bridgework.services.endpoints import WebhookRegistry
from bridgework.services.errors import Conflict, ServiceError
from bridgework.services.group import Group, Member, queued
from bridgework.services.idempotency import CommandResult, first_result, request_hash
from bridgework.services.identity import KeyRing
from bridgework.services.ports import EventCodec, EventMetadata, EventStore
from bridgework.services.session import Join, Session
from bridgework.services.streams import StreamMemory

if TYPE_CHECKING:
    from bridgework.services.command.base import Command
    from bridgework.services.context import CommandContext

__all__ = ["MAX_ATTEMPTS", "CommandResult", "Decide", "Deps", "Session", "execute"]

MAX_ATTEMPTS = 40
"""Enough for dozens of writers racing on one program; each retry reloads and re-decides."""


class Deps(msgspec.Struct, frozen=True, kw_only=True):
    """What handlers need: the store, the codec, sources of time, new ids and link tokens,
    and where links point."""

    store: EventStore
    codec: EventCodec
    clock: Callable[[], datetime]
    new_id: Callable[[], UUID]
    secret_key: str = ""
    """The deployment's secret; links no longer use it (their secrets are random), only the
    demo derives its links' secrets from it, so a second load replays the same commands."""
    link_days: int = 14
    """How long a link that lets an outsider act without an account (a supervisor's) works."""
    new_token: Callable[[], str] = functools.partial(secrets.token_urlsafe, 32)
    """The secret of a new link (a supervisor's): random, mailed, stored only as a hash."""
    public_url: str = "http://127.0.0.1:8000"
    """Where this deployment is reached from outside: the base of the links it mails."""
    streams: StreamMemory = msgspec.field(default_factory=StreamMemory)
    """This process's stream locks and cached aggregates, shared by every command."""
    keys: KeyRing | None = None
    """Integrations' API keys (`services/access.py`); None where none are kept."""
    webhooks: WebhookRegistry | None = None  # endpoints (`services/webhooks.py`), if kept


Decide = Callable[[Session], Awaitable[CommandResult]]


async def execute(
    deps: Deps, ctx: CommandContext, command: Command, decide: Decide
) -> CommandResult:
    """Run `decide` until its events append cleanly; return the result with its position.

    With an idempotency key, whatever a request with the same key committed first is the
    answer. Overlapping requests are the hard part: one that loaded state before the first
    committed collides with it (a version conflict), and one that loaded after would decide
    against the first's effect ("already enrolled"); both read the record again instead of
    deciding again.
    """
    authorise(ctx.actor, command)
    digest = request_hash(command)
    # A key is the caller's own: another caller sending the same one is another request.
    key = None if ctx.idempotency_key is None else f"{ctx.actor.id}:{ctx.idempotency_key}"
    command_id = key or str(ctx.command_uuid)
    if (first := await first_result(deps.store, key, digest)) is not None:
        return first
    metadata = EventMetadata(
        actor=f"{ctx.actor.role}:{ctx.actor.id}",
        organisations=tuple(sorted(ctx.actor.organisations)),
        client_correlation_id=ctx.client_correlation_id,
        correlation_id=ctx.correlation_id,
        causation_id=ctx.command_uuid,
        command_id=ctx.idempotency_key or command_id,
        command=type(command).__name__,
    )
    me = Member(decide, ctx.actor, metadata, command_id=command_id, digest=digest, key=key)
    held: str | None = None
    for attempt in range(MAX_ATTEMPTS):
        session = Session(deps, deps.clock(), ctx.actor, held=held)
        held = None
        joined: str | None = None
        try:
            result = await _attempt(deps, session, me)
        except Join as queue:
            result, joined = None, queue.stream_id
        finally:
            session.close()
        if joined is not None:
            outcome = await queued(deps, me, joined)
            if isinstance(outcome, CommandResult):
                return outcome
            held = joined  # the lock is ours now: decide our own group
            continue
        if result is not None:
            return result
        await asyncio.sleep(random.uniform(0, min(0.2, 0.002 * 2**attempt)))  # noqa: S311
    raise Conflict(f"{type(command).__name__} kept colliding with other changes; try again")


async def _attempt(deps: Deps, session: Session, me: Member) -> CommandResult | None:
    """One load → decide (ours, then the commands queued behind us) → append; None when
    another writer got there first (retry)."""
    try:
        result = await me.decide(session)
    except (ServiceError, DomainError):
        if (first := await first_result(deps.store, me.key, me.digest)) is not None:
            return first
        if not await session.confirms():  # refused on a cached aggregate another process moved on
            return None
        raise
    group = Group(me, me.decided(session, result), result)
    # A decision on cached aggregates never waited: let commands sent at the same moment
    # queue behind it, to be decided in its group.
    await asyncio.sleep(0)
    await group.gather(deps, session)
    if group.alone():
        return await group.commit(deps, session)
    # Shielded: the queued commands are told their outcome even if our caller goes away.
    commit = asyncio.ensure_future(group.commit(deps, session))
    deps.streams.locks.lend(commit)
    try:
        return await asyncio.shield(commit)
    except asyncio.CancelledError:
        session.close_after(commit)
        raise
