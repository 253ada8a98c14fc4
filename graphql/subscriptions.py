"""Subscription: the log, caught up from a cursor and then followed live.

Events arrive in the store's one global order (transaction id, position), read only below
the oldest running transaction, so a subscriber never skips an event that commits late and
never sees one twice; each carries a `cursor` to resume from after a disconnect. Live
subscribers share one reader of the log per process (`graphql/live.py`), and a database
restart is a pause, not an error.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from bridgework.graphql.errors import bad_input
from bridgework.graphql.queries import event_filter
from bridgework.graphql.types import CursorError, Event, Info, event_checkpoint
from bridgework.services.ports import ORIGIN


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
        try:
            checkpoint = ORIGIN if after is None else event_checkpoint(after)
        except CursorError as e:
            raise bad_input("after", str(e)) from None
        _, wanted = event_filter(None, types)
        # A cursor made up rather than taken from an event could sit past the end of the log,
        # and the shared tail would start from there for everyone.
        store = info.context.api.store
        if after is not None and await store.checkpoint_of(checkpoint.position) != checkpoint:
            raise bad_input("after", f"{after!r} is the cursor of no event in the log")
        # Everything is read and filtered here: the cursor must move past events of other
        # types too, or waiting for news after it would return at once, forever.
        async for batch in info.context.api.live.follow(checkpoint):
            for stored in batch:
                if wanted is None or stored.event_type in wanted:
                    yield Event.from_stored(stored)
