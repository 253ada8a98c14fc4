from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
from bridgework.domain.base import BridgeworkAggregate
from bridgework.domain.catalog import EVENT_TYPES
from bridgework.infra.transcoding import Transcoder
from bridgework.services.ports import EventMetadata, NewEvent, StoredEvent
from eventsourcing.domain import Aggregate, event
from support.given import launched

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
METADATA = EventMetadata(
    actor="coordinator:ana",
    correlation_id=uuid4(),
    causation_id=uuid4(),
    command_id="k",
    command="X",
)


def stored(new: NewEvent, position: int = 1, **changes: Any) -> StoredEvent:
    fields = {f: getattr(new, f) for f in new.__struct_fields__ if f != "metadata"} | changes
    metadata_json = msgspec.json.encode(new.metadata)
    return StoredEvent(
        position=position, tx_id=1, recorded_at=AT, metadata_json=metadata_json, **fields
    )


def test_events_round_trip_with_real_ids_dates_and_enums():
    codec = Transcoder()
    history = launched()
    encoded = codec.encode(history[0], event_id=uuid4(), metadata=METADATA)
    assert encoded.event_type == "ProgramLaunched"
    assert encoded.stream_id == f"program-{history[0].originator_id}"
    decoded = codec.decode(stored(encoded))
    assert decoded == history[0]
    assert isinstance(decoded.partnership_id, UUID)
    assert isinstance(decoded.starts_on, date)


def test_the_stored_type_is_a_stable_name_not_a_module_path():
    assert all(":" not in name and "." not in name for name in EVENT_TYPES)
    assert "StudentEnrolled" in EVENT_TYPES


class Badge(BridgeworkAggregate):
    STREAM = "badge"

    class BadgeCreated(Aggregate.Created):
        pass

    class BadgeAwarded(Aggregate.Event):
        """Version 2 added `level`; version 1 payloads are upcast on read."""

        class_version = 2
        student_id: UUID
        level: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> dict[str, Any]:
            return {**state, "level": 1}

    @event(BadgeCreated)
    def __init__(self) -> None:
        self.levels: list[int] = []

    @event(BadgeAwarded)
    def award(self, student_id: UUID, level: int) -> None:
        self.levels.append(level)


def test_old_event_versions_are_upcast_on_read():
    codec = Transcoder({"BadgeAwarded": Badge.BadgeAwarded}, {Badge.BadgeAwarded: Badge})
    badge_id, student = uuid4(), uuid4()
    v1 = msgspec.json.encode({"timestamp": AT, "student_id": student})
    row = StoredEvent(
        position=7,
        tx_id=1,
        event_id=uuid4(),
        stream_id=f"badge-{badge_id}",
        stream_version=2,
        event_type="BadgeAwarded",
        schema_version=1,
        payload=v1,
        metadata_json=msgspec.json.encode(METADATA),
        recorded_at=AT,
    )
    decoded = codec.decode(row)
    assert decoded.level == 1
    assert decoded.student_id == student
    assert decoded.originator_id == badge_id
    assert decoded.originator_version == 2
