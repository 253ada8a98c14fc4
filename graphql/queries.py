"""Queries: the directory, enrolment and outcome views, and the log itself for auditors."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry
from bridgework.graphql.errors import bad_input
from bridgework.graphql.types import (
    CursorError,
    Event,
    Info,
    Mentor,
    Organization,
    Partnership,
    Program,
    ProgramKind,
    Student,
    decode_cursor,
    encode_cursor,
    event_checkpoint,
    event_cursor,
    mentor_of,
    program_of,
    student_of,
)
from bridgework.projections import read
from bridgework.services.ports import ORIGIN

MAX_PROGRAMS = 100
MAX_EVENTS = 1000
MAX_TYPES = 100
MAX_NAME = 200
AT_LEAST = "A log position (as returned by a mutation): wait briefly until the views include it."

AtLeast = Annotated[int | None, strawberry.argument(description=AT_LEAST)]


def parse_id(argument: str, value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise bad_input(argument, f"{value[:100]!r} is not a valid id") from None


def page_size(argument: str, value: int, most: int) -> int:
    if not 1 <= value <= most:
        raise bad_input(argument, f"must be between 1 and {most}, got {value}")
    return value


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


@strawberry.type
class PageInfo:
    """Where a page ends, and whether there is more."""

    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class ProgramEdge:
    """One program and the cursor to continue after it."""

    cursor: str
    node: Program


@strawberry.type
class ProgramConnection:
    """A page of programs, in launch order."""

    edges: list[ProgramEdge]
    page_info: PageInfo


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


@strawberry.type
class Query:
    """Read models (directory, enrolment, outcome) and the log itself."""

    @strawberry.field(description="An organisation by id; null if there is none.")
    async def organization(
        self, info: Info, id: strawberry.ID, at_least: AtLeast = None
    ) -> Organization | None:
        await info.context.see_at_least(at_least)
        found = await info.context.loaders.organisation.load(parse_id("id", id))
        return None if found is None else Organization.from_view(found)

    @strawberry.field(description="A partnership by id; null if there is none.")
    async def partnership(
        self, info: Info, id: strawberry.ID, at_least: AtLeast = None
    ) -> Partnership | None:
        await info.context.see_at_least(at_least)
        found = await info.context.loaders.partnership.load(parse_id("id", id))
        return None if found is None else Partnership.from_view(found)

    @strawberry.field(description="A program by id, with its enrolment and outcome views.")
    async def program(
        self,
        info: Info,
        id: strawberry.ID,
        at_least: AtLeast = None,
    ) -> Program | None:
        await info.context.see_at_least(at_least)
        return await program_of(info, parse_id("id", id))

    @strawberry.field(description="Programs in launch order, a page at a time.")
    async def programs(
        self,
        info: Info,
        *,
        first: int = 20,
        after: str | None = None,
        kind: ProgramKind | None = None,
        partnership_id: strawberry.ID | None = None,
        at_least: AtLeast = None,
    ) -> ProgramConnection:
        limit = page_size("first", first, MAX_PROGRAMS)
        try:
            after_seq = None if after is None else decode_cursor("program", after, 1)[0]
        except CursorError as e:
            raise bad_input("after", str(e)) from None
        partnership = None if partnership_id is None else parse_id("partnershipId", partnership_id)
        await info.context.see_at_least(at_least)
        found = await read.list_programs(
            info.context.api.pool,
            after_seq=after_seq,
            limit=limit + 1,
            kind=None if kind is None else kind.value,
            partnership_id=partnership,
        )
        edges = [ProgramEdge(cursor=encode_cursor("program", p.seq), node=Program.from_view(p))
                 for p in found[:limit]]  # fmt: skip
        return ProgramConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(found) > limit,
                end_cursor=edges[-1].cursor if edges else after,
            ),
        )

    @strawberry.field(description="A student by id, with their programs.")
    async def student(
        self,
        info: Info,
        id: strawberry.ID,
        at_least: AtLeast = None,
    ) -> Student | None:
        await info.context.see_at_least(at_least)
        return await student_of(info, parse_id("id", id))

    @strawberry.field(description="A mentor by id.")
    async def mentor(
        self,
        info: Info,
        id: strawberry.ID,
        at_least: AtLeast = None,
    ) -> Mentor | None:
        await info.context.see_at_least(at_least)
        return await mentor_of(info, parse_id("id", id))

    @strawberry.field(
        description="The log itself, for auditors: every event after a cursor, in the one "
        "global order integrations also follow. Filter by stream and event types."
    )
    async def events(
        self,
        info: Info,
        *,
        after: str | None = None,
        first: int = 100,
        stream_id: str | None = None,
        types: list[str] | None = None,
    ) -> EventConnection:
        limit = page_size("first", first, MAX_EVENTS)
        try:
            checkpoint = ORIGIN if after is None else event_checkpoint(after)
        except CursorError as e:
            raise bad_input("after", str(e)) from None
        stream, wanted = event_filter(stream_id, types)
        found = await info.context.api.store.read_after(
            checkpoint,
            limit + 1,
            types=None if wanted is None else sorted(wanted),
            stream_id=stream,
        )
        edges = [EventEdge(cursor=event_cursor(e.checkpoint), node=Event.from_stored(e))
                 for e in found[:limit]]  # fmt: skip
        return EventConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(found) > limit,
                end_cursor=edges[-1].cursor if edges else after,
            ),
        )
