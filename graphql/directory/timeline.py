"""A student's timeline: every event about them, from every stream, a page at a time."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
import strawberry
from bridgework.graphql.context import Info
from bridgework.graphql.directory.programs import Program, program_of
from bridgework.graphql.pages import PageInfo, after_argument, encode_cursor, page_size, paginate
from bridgework.graphql.shapes import copied, maybe_ident
from bridgework.projections.timeline import TimelineEntry, plain_summary, timelines

MAX_TIMELINE_PAGE = 200


@strawberry.type
class TimelineItem:
    """Something that happened to a student."""

    position: int = strawberry.field(description="Its place in the log.")
    event_type: str
    summary: str = strawberry.field(description="What happened, in words.")
    at: datetime
    program_id: strawberry.ID | None
    view: strawberry.Private[TimelineEntry]

    @classmethod
    def from_view(cls, v: TimelineEntry) -> TimelineItem:
        return copied(cls, v, program_id=maybe_ident(v.program_id), view=v)

    @strawberry.field
    async def program(self, info: Info) -> Program | None:
        if self.view.program_id is None:
            return None
        return await program_of(info, self.view.program_id)


@strawberry.type
class TimelineEdge:
    """One entry of a timeline and the cursor to continue after it."""

    cursor: str
    node: TimelineItem


@strawberry.type
class TimelineConnection:
    """A page of a student's timeline."""

    edges: list[TimelineEdge]
    page_info: PageInfo


async def timeline_of(
    info: Info,
    student_id: UUID,
    first: int,
    after: str | None,
    *,
    newest_first: bool,
    personal: bool = True,
) -> TimelineConnection:
    """A page of the student's timeline; without `personal` (a caller who may not see their
    personal data), lines that would name a guardian, a supervisor or a reason say only what
    happened."""
    limit = page_size("first", first, MAX_TIMELINE_PAGE)
    position = after_argument("timeline", after)
    found = await timelines(
        info.context.reads,
        [student_id],
        after=None if position is None else position[0],
        limit=limit + 1,
        newest_first=newest_first,
    )
    rows, page = paginate(found, limit, after, lambda e: encode_cursor("timeline", e.position))
    if not personal:
        rows = [(c, msgspec.structs.replace(e, summary=plain_summary(e))) for c, e in rows]
    edges = [TimelineEdge(cursor=c, node=TimelineItem.from_view(e)) for c, e in rows]
    return TimelineConnection(edges=edges, page_info=page)
