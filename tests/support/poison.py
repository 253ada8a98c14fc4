"""Poison in the log, written as a buggy or old writer might have, and a runner quick to park it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
from bridgework.domain.program import Program, ProgramKind
from bridgework.projections.registry import default_projections
from bridgework.projections.runner import ProjectionRunner
from bridgework.services.ports import EventMetadata, StreamAppend

NOW = datetime.now(UTC)
ATTEMPTS = 3


def quick_runner(pool, deps, projections=None, **options) -> ProjectionRunner:
    """A runner that gives up on an event after three tries milliseconds apart."""
    return ProjectionRunner(
        pool,
        deps.store,
        deps.codec,
        projections or default_projections(),
        max_attempts=ATTEMPTS,
        backoff_base=0.001,
        backoff_cap=0.005,
        **options,
    )


async def append_bypassing_validation(deps, aggregate, payload: bytes | None = None) -> int:
    """Write an aggregate's new events straight into the log, as a buggy or old writer
    might have: no command, no edge validation."""
    metadata = EventMetadata(
        actor="test",
        correlation_id=uuid.uuid4(),
        causation_id=uuid.uuid4(),
        command_id=f"poison-{uuid.uuid4()}",
        command="Poison",
    )
    [event] = aggregate.collect_events()
    new = deps.codec.encode(event, event_id=uuid.uuid4(), metadata=metadata)
    if payload is not None:
        new = msgspec.structs.replace(new, payload=payload)
    return await deps.store.append(
        [StreamAppend(stream_id=new.stream_id, expected_version=0, events=[new])]
    )


def a_program_named(name: str, partnership: uuid.UUID) -> Program:
    return Program.launch(
        id=uuid.uuid4(),
        partnership_id=partnership,
        organisation_ids=(),
        name=name,
        kind=ProgramKind.CLUB,
        capacity=2,
        starts_on=NOW.date(),
        ends_on=NOW.date() + timedelta(days=30),
        at=NOW,
    )
