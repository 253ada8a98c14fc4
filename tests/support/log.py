"""Raw events for store-level tests, and waiting with a generous deadline."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import TYPE_CHECKING

import msgspec
from bridgework.services.ports import EventMetadata, NewEvent, StreamAppend

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
        payload=msgspec.json.encode({"n": version}),
        metadata=META,
    )


def one_new_stream(count: int = 1, event_type: str = "StudentEnrolled") -> StreamAppend:
    stream_id = f"program-{uuid.uuid4()}"
    events = [new_event(stream_id, i + 1, event_type) for i in range(count)]
    return StreamAppend(stream_id=stream_id, expected_version=0, events=events)


async def until(condition: Callable[[], bool], deadline: float = 10.0) -> None:
    """Wait for `condition` to hold; fail after `deadline` seconds (generous, never tight)."""
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"not true within {deadline} s")
        await asyncio.sleep(0.01)
