"""Load → decide → append with expected versions, retried on conflict, once per command id.

A handler gives `execute()` a `decide` function; `execute()` runs it against freshly loaded
aggregates, appends what they recorded in one transaction, and retries the whole thing
(bounded, with jittered backoff) when another writer got there first.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import random
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

import msgspec
from bridgework.domain.base import BridgeworkAggregate
from bridgework.domain.errors import DomainError
from bridgework.services import snapshots
from bridgework.services.authority import Reach, authorise
from bridgework.services.endpoints import WebhookRegistry
from bridgework.services.errors import Conflict, NotFound, ServiceError
from bridgework.services.identity import KeyRing
from bridgework.services.ports import (
    CommandRecord,
    DuplicateCommand,
    EventCodec,
    EventMetadata,
    EventStore,
    OutgoingMail,
    StoredCommand,
    StreamAppend,
    VersionConflict,
)
from bridgework.services.streams import Cached, StreamMemory

if TYPE_CHECKING:
    from bridgework.services.command.base import Command
    from bridgework.services.context import Actor, CommandContext

A = TypeVar("A", bound=BridgeworkAggregate)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 40
"""Enough for dozens of writers racing on one program; each retry reloads and re-decides."""


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a handled command reports: the id it concerns and the log position it wrote."""

    id: UUID
    position: int = 0
    status: str | None = None
    message: str | None = None
    about: UUID | None = None
    """The student the message names, if any: the idempotency record seals it with their key."""


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


class Session:
    """The aggregates one attempt loaded or created, with the versions they were loaded at.

    A stream it loads is locked for this process (`services/streams.py`) until `close()`;
    its aggregate comes from the process's cache or a snapshot, plus the events after them.
    """

    def __init__(self, deps: Deps, now: datetime, actor: Actor) -> None:
        self._deps = deps
        self.now = now
        self._reach = Reach(actor)
        self._loaded: dict[str, tuple[BridgeworkAggregate, int]] = {}
        self.mail: list[OutgoingMail] = []
        """Mail this attempt decided: enqueued with its events, or not at all."""
        self._owned: dict[str, int] = {}
        """Streams whose lock this session holds → the version of their newest snapshot."""

    async def get(self, cls: type[A], aggregate_id: UUID, field: str) -> A:
        """Load an aggregate, or raise `NotFound` naming the input `field` that referred to it."""
        stream_id = cls.stream_id(aggregate_id)
        if stream_id in self._loaded:
            found = self._loaded[stream_id][0]
        else:
            loaded = await self._load(stream_id)
            if loaded is None:
                raise NotFound(cls.__name__.lower(), aggregate_id, field)
            found = loaded
            self._loaded[stream_id] = (found, found.version)
            self._reach.loaded(found)
        if not isinstance(found, cls):
            raise NotFound(cls.__name__.lower(), aggregate_id, field)
        return found

    async def _load(self, stream_id: str) -> BridgeworkAggregate | None:
        memory = self._deps.streams
        owned = await memory.locks.acquire(stream_id, wait=not self._owned)
        if owned:
            self._owned[stream_id] = 0  # from here on, `close()` releases it whatever happens
        cached = memory.cache.take(stream_id) if owned else None
        aggregate: BridgeworkAggregate | None
        if cached is not None:
            aggregate, snapshot_version = cached
            tail = await self._deps.store.load(stream_id, after_version=aggregate.version)
        else:
            snapshot, tail = await self._deps.store.load_latest(stream_id)
            aggregate = None if snapshot is None else snapshots.restore(snapshot)
            snapshot_version = 0 if aggregate is None else aggregate.version
            if snapshot is not None and aggregate is None:  # of another layout: replay it all
                tail = await self._deps.store.load(stream_id)
        if owned:
            self._owned[stream_id] = snapshot_version
        for stored in tail:
            aggregate = self._deps.codec.decode(stored).mutate(aggregate)
        return aggregate

    def add(self, aggregate: BridgeworkAggregate) -> None:
        self._loaded[type(aggregate).stream_id(aggregate.id)] = (aggregate, 0)

    def appends(self, metadata: EventMetadata) -> list[StreamAppend]:
        """What this attempt recorded, once the actor is found to reach every record it
        touched (`authority.refuse_out_of_scope`)."""
        touched = [(a, bool(a.pending_events)) for a, _ in self._loaded.values()]
        self._reach.refuse_out_of_scope(touched)
        result = []
        for stream_id, (aggregate, version) in self._loaded.items():
            pending = aggregate.collect_events()
            if pending:
                events = [
                    self._deps.codec.encode(e, event_id=self._deps.new_id(), metadata=metadata)
                    for e in pending
                ]
                result.append(
                    StreamAppend(
                        stream_id=stream_id,
                        expected_version=version,
                        events=events,
                        scope=aggregate.scope,
                    )
                )
        return result

    async def committed(self) -> None:
        """Keep what this session committed: its locked and new aggregates go to the cache,
        and a long stream's aggregate to a snapshot."""
        cache = self._deps.streams.cache
        for stream_id, (aggregate, version) in self._loaded.items():
            if version == 0 or stream_id in self._owned:
                snapshot_version = self._owned.get(stream_id, 0)
                if aggregate.version - snapshot_version >= snapshots.SNAPSHOT_EVERY:
                    snapshot_version = await self._snapshot(stream_id, aggregate, snapshot_version)
                cache.put(stream_id, Cached(aggregate, snapshot_version))

    async def _snapshot(self, stream_id: str, aggregate: BridgeworkAggregate, known: int) -> int:
        try:
            await self._deps.store.save_snapshot(snapshots.take(stream_id, aggregate))
        except Exception:  # the command has committed: a lost snapshot only costs a replay
            log.warning("could not store a snapshot of %s", stream_id, exc_info=True)
            return known
        return aggregate.version

    def close(self) -> None:
        """Release this session's stream locks; aggregates it did not put back are dropped."""
        for stream_id in self._owned:
            self._deps.streams.locks.release(stream_id)
        self._owned.clear()


Decide = Callable[[Session], Awaitable[CommandResult]]


def request_hash(command: Command) -> str:
    body = type(command).__name__.encode() + b":" + msgspec.json.encode(command)
    return hashlib.sha256(body).hexdigest()


def _replay(stored: StoredCommand, expected_hash: str) -> CommandResult:
    if stored.request_hash != expected_hash:
        raise Conflict(
            f"idempotencyKey {stored.command_id!r} was already used for a different request"
        )
    first = msgspec.json.decode(stored.result, type=CommandResult)
    return msgspec.structs.replace(first, position=stored.position)


async def _first_result(deps: Deps, key: str | None, digest: str) -> CommandResult | None:
    """The result recorded under this idempotency key, if a request with it has committed."""
    if key is None:
        return None
    stored = await deps.store.find_command(key)
    return None if stored is None else _replay(stored, digest)


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
    if (first := await _first_result(deps, key, digest)) is not None:
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
    for attempt in range(MAX_ATTEMPTS):
        session = Session(deps, deps.clock(), ctx.actor)
        try:
            result = await _attempt(
                deps,
                session,
                decide,
                metadata=metadata,
                command_id=command_id,
                digest=digest,
                key=key,
            )
        finally:
            session.close()
        if result is not None:
            return result
        await asyncio.sleep(random.uniform(0, min(0.2, 0.002 * 2**attempt)))  # noqa: S311
    raise Conflict(f"{type(command).__name__} kept colliding with other changes; try again")


async def _attempt(
    deps: Deps,
    session: Session,
    decide: Decide,
    *,
    metadata: EventMetadata,
    command_id: str,
    digest: str,
    key: str | None,
) -> CommandResult | None:
    """One load → decide → append; None when another writer got there first (retry)."""
    try:
        result = await decide(session)
    except (ServiceError, DomainError):
        if (first := await _first_result(deps, key, digest)) is not None:
            return first
        raise
    record = CommandRecord(
        command_id=command_id,
        request_hash=digest,
        result=msgspec.json.encode(result),
        about=result.about,
    )
    try:
        position = await deps.store.append(
            session.appends(metadata), command=record, mail=session.mail
        )
    except VersionConflict:
        return await _first_result(deps, key, digest)
    except DuplicateCommand as e:
        return _replay(e.stored, digest)
    await session.committed()
    return msgspec.structs.replace(result, position=position)
