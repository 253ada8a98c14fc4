"""`history`: the events of one entity's own stream (a program, partnership, student, mentor
or organisation), oldest first, a page at a time, each with when, who (the verified actor),
why (its `reason`), the user action it belongs to and a line a person can read.

One resolver, made per type by `history_field`, reads the log exactly as the `events` query
does (`log.py`): only log readers may ask, an API key scoped to some event types sees only
those, the caller's organisations bound what is read, and personal fields are redacted
unless the caller is granted personal data. The line is the timeline's
(`projections/timeline.py`), or the event type in words when it would name a redacted field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
import strawberry
from bridgework.graphql.codes import FORBIDDEN
from bridgework.graphql.context import Info
from bridgework.graphql.log import MAX_EVENTS, after_checkpoint, event_cursor, read_visible
from bridgework.graphql.pages import PageInfo, page_size, paginate
from bridgework.graphql.policy import LOG
from bridgework.graphql.shapes import ident
from bridgework.projections.timeline import summary_of
from bridgework.services.ports import StoredEvent
from bridgework.services.release import redact

from graphql import GraphQLError

DESCRIPTION = (
    "The events of its own stream, oldest first, a page at a time (pass a page's `endCursor` "
    "as `after` for the next): scoped and redacted as the `events` query is, and only for "
    "those who may read the log (others get FORBIDDEN)."
)


@strawberry.type
class HistoryEntry:
    """One event of an entity's stream, as a person reads it."""

    cursor: str
    position: int = strawberry.field(description="Its place in the global log.")
    type: str = strawberry.field(description="Stable event type name, e.g. `StudentEnrolled`.")
    summary: str = strawberry.field(
        description="A readable line; the event type in words when it would name a field "
        "redacted for you."
    )
    recorded_at: datetime
    actor: str = strawberry.field(description="`<role>:<id>` of the verified caller.")
    reason: str | None = strawberry.field(
        description="The reason it records, if it has one you may see."
    )
    correlation_id: strawberry.ID = strawberry.field(
        description="Shared by everything one user action caused."
    )
    redacted: list[str] = strawberry.field(
        description="The payload's personal fields left out for you, as in `events`."
    )

    @classmethod
    def from_stored(cls, e: StoredEvent, *, personal_data: bool, program: str) -> HistoryEntry:
        payload = msgspec.json.decode(e.payload)
        hidden = redact(e.event_type, payload, personal_data=personal_data)
        reason = payload.get("reason")
        return cls(
            cursor=event_cursor(e.checkpoint),
            position=e.position,
            type=e.event_type,
            summary=summary_of(e.event_type, payload, program, hidden),
            recorded_at=e.recorded_at,
            actor=e.metadata.actor,
            reason=reason if isinstance(reason, str) else None,
            correlation_id=ident(e.metadata.correlation_id),
            redacted=hidden,
        )


@strawberry.type
class HistoryConnection:
    """A page of an entity's history."""

    nodes: list[HistoryEntry]
    page_info: PageInfo


async def history_of(
    info: Info, stream_id: str, first: int, after: str | None, *, program: str = "a program"
) -> HistoryConnection:
    """A page of the events of `stream_id` after the cursor `after`, as `events` reads them."""
    if not LOG.allows(info.context.principal, {}):
        raise GraphQLError("only log readers may read a history", extensions={"code": FORBIDDEN})
    limit = page_size("first", first, MAX_EVENTS)
    checkpoint = after_checkpoint(after)
    found, granted = await read_visible(info, checkpoint, limit + 1, wanted=None, stream=stream_id)
    rows, page = paginate(found, limit, after, lambda e: event_cursor(e.checkpoint))
    nodes = [HistoryEntry.from_stored(e, personal_data=granted, program=program) for _, e in rows]
    return HistoryConnection(nodes=nodes, page_info=page)


def history_field(stream: str, *, names_program: bool = False) -> Any:
    """The `history` field of a type whose objects have an `id` and are the aggregates of
    the stream `stream` (`Program.STREAM`…); `names_program`: its `name` is the title a
    line's `{program}` reads as."""

    async def history(
        root: Any, info: Info, first: int = 50, after: str | None = None
    ) -> HistoryConnection | None:
        stream_id = f"{stream}-{UUID(str(root.id))}"
        program = f"{root.name}" if names_program else "a program"
        return await history_of(info, stream_id, first, after, program=program)

    return strawberry.field(resolver=history, description=DESCRIPTION)
