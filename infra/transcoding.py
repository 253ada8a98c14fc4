"""Domain events ⇄ stored rows, with msgspec.

A payload is the event's own fields as JSON (ids, version and topic live in columns).
Decoding is typed, so ids, dates and enums come back as real objects: the `eventsourcing`
library builds events without calling `__init__`. Old schema versions are upcast on read
with the library's convention: `class_version = N` on the event class and static methods
`upcast_v1_v2(state)`, `upcast_v2_v3(state)`, … that rewrite the payload dict.

Personal fields (`domain/personal.py`) are sealed in the payload (`infra/crypto/`): they are
decoded as raw JSON and opened one by one with the keys the read that returned the event
loaded, so decoding an event without personal fields costs what it did before.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

import msgspec
from bridgework.domain.catalog import AGGREGATE_OF, EVENT_TYPES
from bridgework.infra.crypto.cache import CACHE
from bridgework.infra.crypto.cipher import FieldOpener, Sealed, specs
from bridgework.services.ports import EventMetadata, NewEvent, StoredEvent
from eventsourcing.utils import get_topic

if TYPE_CHECKING:
    from collections.abc import Mapping

    from bridgework.domain.base import BridgeworkAggregate
    from bridgework.domain.catalog import EventClass

_COLUMNS = frozenset({"originator_id", "originator_version", "originator_topic"})


class _EventSpec:
    """How one event class is written and read."""

    def __init__(self, name: str, cls: EventClass, aggregate: type[BridgeworkAggregate]) -> None:
        self.name = name
        self.cls = cls
        self.version: int = getattr(cls, "class_version", 1)
        hints = typing.get_type_hints(cls)
        names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        fields = {n: hints[n] for n in names if n not in _COLUMNS}
        self.fields = tuple(fields)
        self.payload_type: Any = TypedDict(f"{name}Payload", fields)  # type: ignore[misc]
        sealed = specs().get(name)
        self.openers = {
            f.name: FieldOpener(f, fields[f.name], CACHE) for f in (sealed.fields if sealed else ())
        }
        self.decoder = msgspec.json.Decoder(self.payload_type)
        # Raw values decode into a struct's fields (not a TypedDict's, in msgspec 0.22).
        raw = [(n, msgspec.Raw if n in self.openers else t) for n, t in fields.items()]
        self.sealed = msgspec.json.Decoder(msgspec.defstruct(f"{name}Sealed", raw)).decode
        self.aggregate = aggregate
        self.topic = get_topic(aggregate) if "originator_topic" in hints else None

    def upcast(self, payload: bytes, from_version: int, event_id: UUID) -> dict[str, Any]:
        state: dict[str, Any] = msgspec.json.decode(payload)
        for name, opener in self.openers.items():
            if isinstance(value := state.get(name), dict):
                state[name] = opener.opened(msgspec.convert(value, Sealed), event_id)
        for v in range(from_version, self.version):
            state = getattr(self.cls, f"upcast_v{v}_v{v + 1}")(state)
        result: dict[str, Any] = msgspec.convert(state, self.payload_type, strict=False)
        return result


@functools.lru_cache(maxsize=65_536)
def _aggregate_id(stream_id: str) -> UUID:
    """`program-<uuid>` → the uuid; cached, as a catch-up meets each stream many times."""
    return UUID(stream_id.partition("-")[2])


class Transcoder:
    """Encodes domain events for the store and decodes stored events back."""

    def __init__(
        self,
        event_types: Mapping[str, EventClass] = EVENT_TYPES,
        aggregate_of: Mapping[EventClass, type[BridgeworkAggregate]] = AGGREGATE_OF,
    ) -> None:
        self._by_name = {
            name: _EventSpec(name, cls, aggregate_of[cls]) for name, cls in event_types.items()
        }
        self._by_class = {spec.cls: spec for spec in self._by_name.values()}
        self._encoder = msgspec.json.Encoder()

    def encode(self, event: Any, *, event_id: UUID, metadata: EventMetadata) -> NewEvent:
        spec = self._by_class[type(event)]
        state = vars(event)
        return NewEvent(
            event_id=event_id,
            stream_id=spec.aggregate.stream_id(event.originator_id),
            stream_version=event.originator_version,
            event_type=spec.name,
            schema_version=spec.version,
            payload=self._encoder.encode({k: state[k] for k in spec.fields}),
            metadata=metadata,
        )

    def decode(self, stored: StoredEvent) -> Any:
        """The domain event of a stored row, upcast to the current schema version."""
        spec = self._by_name.get(stored.event_type)
        if spec is None:
            raise ValueError(f"unknown event type {stored.event_type!r} at {stored.position}")
        if stored.schema_version != spec.version:
            state = spec.upcast(stored.payload, stored.schema_version, stored.event_id)
        elif spec.openers:
            state = msgspec.structs.asdict(spec.sealed(stored.payload))
            for name, opener in spec.openers.items():
                state[name] = opener(state[name], stored.event_id)
        else:
            state = spec.decoder.decode(stored.payload)
        aggregate_id = _aggregate_id(stored.stream_id)
        state["originator_id"] = aggregate_id
        state["originator_version"] = stored.stream_version
        if spec.topic is not None:
            state["originator_topic"] = spec.topic
        event = spec.cls.__new__(spec.cls)
        object.__setattr__(event, "__dict__", state)  # the decoded dict itself, not a copy
        return event

    def event_names(self) -> list[str]:
        return list(self._by_name)
