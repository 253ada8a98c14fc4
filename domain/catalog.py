"""Every aggregate and event type, by the stable names stored in the log.

An event's stored type is its class name (`StudentEnrolled`), never its module path, so
modules can move without breaking history. Names must be unique; that is checked here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from bridgework.domain.hours import HoursLog
from bridgework.domain.mentor import Mentor
from bridgework.domain.organisation import Organisation
from bridgework.domain.partnership import Partnership
from bridgework.domain.program import Program
from bridgework.domain.student import Student
from eventsourcing.domain import CanMutateAggregate

if TYPE_CHECKING:
    from bridgework.domain.base import BridgeworkAggregate

AGGREGATES: tuple[type[BridgeworkAggregate], ...] = (
    Organisation,
    Partnership,
    Program,
    Student,
    Mentor,
    HoursLog,
)

EventClass = type[CanMutateAggregate[Any]]


def _events_of(aggregate: type[BridgeworkAggregate]) -> list[EventClass]:
    return [
        v
        for v in vars(aggregate).values()
        if isinstance(v, type)
        and issubclass(v, CanMutateAggregate)
        and v.__name__[0].isupper()
        and v.__qualname__.startswith(f"{aggregate.__name__}.")
        and v.__name__ not in {"Event", "Created"}
    ]


def _catalog() -> tuple[dict[str, EventClass], dict[EventClass, type[BridgeworkAggregate]]]:
    by_name: dict[str, EventClass] = {}
    aggregate_of: dict[EventClass, type[BridgeworkAggregate]] = {}
    for aggregate in AGGREGATES:
        for cls in _events_of(aggregate):
            if cls.__name__ in by_name:
                msg = f"event name {cls.__name__!r} is used twice"
                raise TypeError(msg)
            by_name[cls.__name__] = cls
            aggregate_of[cls] = aggregate
    return by_name, aggregate_of


EVENT_TYPES, AGGREGATE_OF = _catalog()
"""`EVENT_TYPES`: stable name → event class. `AGGREGATE_OF`: event class → its aggregate."""

STREAM_TYPES: dict[str, type[BridgeworkAggregate]] = {a.STREAM: a for a in AGGREGATES}


def split_stream_id(stream_id: str) -> tuple[type[BridgeworkAggregate], UUID]:
    """`program-<uuid>` → (Program, uuid); ValueError for anything else."""
    prefix, _, raw_id = stream_id.partition("-")
    if prefix not in STREAM_TYPES:
        raise ValueError(f"unknown stream {stream_id!r}")
    return STREAM_TYPES[prefix], UUID(raw_id)
