"""Raw events for store-level tests, and waiting with a generous deadline."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import TYPE_CHECKING

import msgspec
from bridgework.services.ports import (
    ORIGIN,
    Checkpoint,
    EventMetadata,
    EventStore,
    NewEvent,
    StoredEvent,
    StreamAppend,
)

if TYPE_CHECKING:
    from collections.abc import Callable

META = EventMetadata(
    actor="coordinator:ana",
    correlation_id=uuid.uuid4(),
    causation_id=uuid.uuid4(),
    command_id="cmd-1",
    command="EnrollStudent",
)


def new_event(stream_id: str, version: int, event_type: str = "StudentEnrolled") -> NewEvent:
    return NewEvent(
        event_id=uuid.uuid4(),
        stream_id=stream_id,
        stream_version=version,
        event_type=event_type,
        schema_version=1,
        payload=msgspec.json.encode({"student_id": str(uuid.uuid4()), "timestamp": "2026-03-02"}),
        metadata=META,
    )


def stream() -> str:
    return f"program-{uuid.uuid4()}"


def stream_append(stream_id: str, expected: int, count: int = 1, **kw: str) -> StreamAppend:
    events = [new_event(stream_id, expected + i + 1, **kw) for i in range(count)]
    return StreamAppend(stream_id=stream_id, expected_version=expected, events=events)


def one_new_stream(count: int = 1, event_type: str = "StudentEnrolled") -> StreamAppend:
    return stream_append(stream(), 0, count, event_type=event_type)


async def read_all(store: EventStore, after: Checkpoint = ORIGIN) -> list[StoredEvent]:
    """The whole log after `after`, through the store's port (on any backend)."""
    return await store.read_after(after, 10_000)


async def count_events(store: EventStore) -> int:
    return len(await read_all(store))


async def until(condition: Callable[[], bool], deadline: float = 10.0) -> None:
    """Wait for `condition` to hold; fail after `deadline` seconds (generous, never tight)."""
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"not true within {deadline} s")
        await asyncio.sleep(0.01)
