"""The log itself in the API, for auditors and integrations: every event after a cursor, in
the one global order, read a page at a time (`events`) or followed live (the subscription).

Events arrive in the store's one global order (transaction id, position), read only below
the oldest running transaction, so a subscriber never skips an event that commits late and
never sees one twice; each carries a `cursor` to resume from after a disconnect. Live
subscribers share one reader of the log per process (`graphql/live.py`), and a database
restart is a pause, not an error.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import msgspec
import strawberry
from bridgework.graphql.context import Info
from bridgework.graphql.errors import bad_input
from bridgework.graphql.pages import (
    CursorError,
    PageInfo,
    decode_cursor,
    encode_cursor,
    page_size,
    paginate,
    parse_id,
)
from bridgework.graphql.policy import LOG, Policies
from bridgework.graphql.reach import reach_of
from bridgework.graphql.shapes import ident
from bridgework.services.identity import Principal
from bridgework.services.ports import ORIGIN, Checkpoint, LogFilter, StoredEvent
from bridgework.services.release import redact
from strawberry.scalars import JSON

MAX_EVENTS = 1000
MAX_TYPES = 100
MAX_NAME = 200


@strawberry.type
class EventMetadata:
    """Who caused an event, and why."""

    actor: str = strawberry.field(description="`<role>:<id>` of the person or system.")
    correlation_id: strawberry.ID = strawberry.field(
        description="Shared by everything one user action caused."
    )
    causation_id: strawberry.ID = strawberry.field(description="The command that caused it.")
    command_id: str = strawberry.field(description="Its idempotency key, or the command id.")
    command: str


@strawberry.type
class Event:
    """One fact in the log, exactly as recorded."""

    position: int = strawberry.field(description="Its place in the global log.")
    tx_id: str = strawberry.field(description="The PostgreSQL transaction that wrote it.")
    cursor: str = strawberry.field(
        description="Pass as `after` to read or subscribe from just after this event."
    )
    event_id: strawberry.ID
    stream_id: str
    stream_version: int
    type: str = strawberry.field(description="Stable event type name, e.g. `StudentEnrolled`.")
    schema_version: int
    payload: JSON
    redacted: list[str] = strawberry.field(
        description="The payload's personal fields left out (null in `payload`): every one "
        "unless the caller is granted personal data; self-reported demographics always."
    )
    metadata: EventMetadata
    recorded_at: datetime

    @classmethod
    def from_stored(cls, e: StoredEvent, *, personal_data: bool = False) -> Event:
        """The event as the caller may see it: its personal fields redacted unless
        `personal_data` (then `e` must be opened: `EventStore.opened`)."""
        m = e.metadata
        payload = msgspec.json.decode(e.payload)
        redacted = redact(e.event_type, payload, personal_data=personal_data)
        return cls(
            position=e.position,
            tx_id=str(e.tx_id),
            cursor=event_cursor(e.checkpoint),
            event_id=ident(e.event_id),
            stream_id=e.stream_id,
            stream_version=e.stream_version,
            type=e.event_type,
            schema_version=e.schema_version,
            payload=payload,
            redacted=redacted,
            metadata=EventMetadata(
                actor=m.actor,
                correlation_id=ident(m.correlation_id),
                causation_id=ident(m.causation_id),
                command_id=m.command_id,
                command=m.command,
            ),
            recorded_at=e.recorded_at,
        )


def event_cursor(checkpoint: Checkpoint) -> str:
    return encode_cursor("event", checkpoint.tx_id, checkpoint.position)


def after_checkpoint(after: str | None) -> Checkpoint:
    """Where `after` (an event's cursor, or the start of the log if null) points."""
    if after is None:
        return ORIGIN
    try:
        tx_id, position = decode_cursor("event", after, 2)
    except CursorError as e:
        raise bad_input("after", str(e)) from None
    return Checkpoint(tx_id, position)


def event_filter(
    stream_id: str | None, types: list[str] | None
) -> tuple[str | None, frozenset[str] | None]:
    """Bound what an event filter may ask for: a handful of short names."""
    if stream_id is not None and not 0 < len(stream_id) <= MAX_NAME:
        raise bad_input("streamId", f"must be 1 to {MAX_NAME} characters")
    if types is None:
        return stream_id, None
    if len(types) > MAX_TYPES:
        raise bad_input("types", f"at most {MAX_TYPES} event types, got {len(types)}")
    for i, name in enumerate(types):
        if not 0 < len(name) <= MAX_NAME:
            raise bad_input(f"types[{i}]", f"must be 1 to {MAX_NAME} characters")
    return stream_id, frozenset(types)


def log_filter(
    actor: str | None, correlation_id: str | None, since: datetime | None, until: datetime | None
) -> LogFilter:
    """Who, which user action and when: an actor's `<role>:<id>`, a correlation id, and a
    time range on `recordedAt` (`from` inclusive, `to` exclusive) with explicit offsets."""
    if actor is not None and not 0 < len(actor) <= MAX_NAME:
        raise bad_input("actor", f"must be 1 to {MAX_NAME} characters")
    for name, at in (("from", since), ("to", until)):
        if at is not None and at.utcoffset() is None:
            raise bad_input(name, "must have a time zone offset, e.g. 2026-09-01T00:00:00Z")
    if since is not None and until is not None and not since < until:
        raise bad_input("to", "must be after `from`")
    correlation = None if correlation_id is None else parse_id("correlationId", correlation_id)
    return LogFilter(actor, correlation, since, until)


def within_scope(info: Info, wanted: frozenset[str] | None) -> frozenset[str] | None:
    """An API key scoped to some event types sees only those, whatever it asks for."""
    return types_within(info.context.caller, wanted)


def types_within(caller: Principal, wanted: frozenset[str] | None) -> frozenset[str] | None:
    """The event types `caller` reads of those `wanted` (None: every type it may see); also
    the HTTP feed's (`infra/feed.py`)."""
    allowed = caller.event_types
    if allowed is None:
        return wanted
    return allowed if wanted is None else wanted & allowed


@strawberry.type
class EventEdge:
    """One event and the cursor to continue after it."""

    cursor: str
    node: Event


@strawberry.type
class EventConnection:
    """A page of the log."""

    edges: list[EventEdge]
    page_info: PageInfo


async def read_visible(
    info: Info,
    checkpoint: Checkpoint,
    limit: int,
    *,
    wanted: frozenset[str] | None,
    stream: str | None,
    where: LogFilter | None = None,
) -> tuple[list[StoredEvent], bool]:
    """Up to `limit` events after `checkpoint` that the caller may see, and whether its
    personal fields were opened (only for a caller granted personal data)."""
    wanted = within_scope(info, wanted)
    store = info.context.api.store
    found = await store.read_after(
        checkpoint,
        limit,
        types=None if wanted is None else sorted(wanted),
        stream_id=stream,
        scope=reach_of(info).scope,
        where=where,
    )
    if (as_of := info.context.as_of) is not None:  # the log as it stood then, too
        found = [e for e in found if e.checkpoint <= as_of.checkpoint]
    granted = info.context.caller.personal_data
    if granted:  # only then are the sealed fields opened: the rest are redacted
        found = await store.opened(found)
    return found, granted


@strawberry.type
class Query:
    @strawberry.field(
        description="The log itself, for auditors: every event after a cursor, in the one "
        "global order integrations also follow. Filter by stream, event types, actor, "
        "correlation id and when each was recorded (`from` inclusive, `to` exclusive)."
    )
    async def events(
        self,
        info: Info,
        *,
        after: str | None = None,
        first: int = 100,
        stream_id: str | None = None,
        types: list[str] | None = None,
        actor: str | None = None,
        correlation_id: strawberry.ID | None = None,
        since: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        until: Annotated[datetime | None, strawberry.argument(name="to")] = None,
    ) -> EventConnection:
        limit = page_size("first", first, MAX_EVENTS)
        checkpoint = after_checkpoint(after)
        stream, wanted = event_filter(stream_id, types)
        where = log_filter(actor, correlation_id, since, until)
        found, granted = await read_visible(
            info, checkpoint, limit + 1, wanted=wanted, stream=stream, where=where
        )
        rows, page = paginate(found, limit, after, lambda e: event_cursor(e.checkpoint))
        edges = [
            EventEdge(cursor=c, node=Event.from_stored(e, personal_data=granted)) for c, e in rows
        ]
        return EventConnection(edges=edges, page_info=page)


@strawberry.type
class Subscription:
    """Live streams."""

    @strawberry.subscription(
        description="Every event after `after` (the start of the log if null), then new ones "
        "as they are committed. Optionally only some event types."
    )
    async def events(
        self, info: Info, after: str | None = None, types: list[str] | None = None
    ) -> AsyncGenerator[Event, None]:
        checkpoint = after_checkpoint(after)
        _, wanted = event_filter(None, types)
        wanted = within_scope(info, wanted)
        scope = reach_of(info).scope  # the organisations recorded on each event
        granted = info.context.caller.personal_data
        # A cursor made up rather than taken from an event could sit past the end of the log,
        # and the shared tail would start from there for everyone.
        store = info.context.api.store
        if after is not None and await store.checkpoint_of(checkpoint.position) != checkpoint:
            raise bad_input("after", f"{after!r} is the cursor of no event in the log")
        # Everything is read and filtered here: the cursor must move past events of other
        # types too, or waiting for news after it would return at once, forever.
        async for batch in info.context.api.live.follow(checkpoint):
            chosen = [
                s
                for s in batch
                if (wanted is None or s.event_type in wanted)
                and (scope is None or not scope.isdisjoint(s.scope))
            ]
            if granted and chosen:
                chosen = await store.opened(chosen)
            for stored in chosen:
                yield Event.from_stored(stored, personal_data=granted)


POLICIES: Policies = {"Query": {"events": LOG}, "Subscription": {"events": LOG}}
"""Who may run each root field of this area (`policy.py`)."""
