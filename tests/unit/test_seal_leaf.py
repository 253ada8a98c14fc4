"""The leaf of an event is its stored row, field by field with lengths, byte for byte."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import msgspec
from bridgework.projections.merkle import leaf_hash
from bridgework.projections.seal import LEAF_FORMAT, leaf_bytes
from bridgework.services.ports import StoredEvent

EVENT_ID = UUID("00112233-4455-6677-8899-aabbccddeeff")
SCHOOL = UUID("ffeeddcc-bbaa-9988-7766-554433221100")
ROW = StoredEvent(
    position=7,
    tx_id=991,
    event_id=EVENT_ID,
    stream_id="student-1",
    stream_version=2,
    event_type="StudentRegistered",
    schema_version=1,
    payload=b'{"name": {"s": "k1", "c": "AAAA"}}',
    metadata_json=b'{"actor":"staff"}',
    recorded_at=datetime(1970, 1, 1, 0, 0, 1, 500, tzinfo=UTC),
    scope=(SCHOOL,),
)


def field(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def test_a_leaf_is_every_stored_field_length_prefixed_in_a_fixed_order():
    expected = LEAF_FORMAT + b"".join(
        [
            field(b"\x00" * 7 + b"\x07"),
            field(bytes.fromhex("00112233445566778899aabbccddeeff")),
            field(b"student-1"),
            field(b"\x00" * 7 + b"\x02"),
            field(b"StudentRegistered"),
            field(b"\x00" * 7 + b"\x01"),
            field(b'{"name": {"s": "k1", "c": "AAAA"}}'),
            field(b'{"actor":"staff"}'),
            field((1_000_500).to_bytes(8, "big")),
            field(bytes.fromhex("ffeeddccbbaa99887766554433221100")),
        ]
    )
    assert leaf_bytes(ROW) == expected


def test_the_payload_is_taken_as_stored_so_whitespace_or_key_order_changes_the_leaf():
    spaced = msgspec.structs.replace(ROW, payload=b'{"name":{"s":"k1","c":"AAAA"}}')
    assert leaf_hash(leaf_bytes(spaced)) != leaf_hash(leaf_bytes(ROW))


def test_the_transaction_id_is_not_part_of_the_leaf_so_a_restore_still_verifies():
    assert leaf_bytes(msgspec.structs.replace(ROW, tx_id=5)) == leaf_bytes(ROW)


def test_moving_bytes_between_neighbouring_fields_changes_the_leaf():
    one = msgspec.structs.replace(ROW, stream_id="student-1S", event_type="tudentRegistered")
    assert leaf_bytes(one) != leaf_bytes(ROW)


def test_every_field_but_the_transaction_id_changes_the_leaf():
    changes = {
        "position": 8,
        "event_id": SCHOOL,
        "stream_id": "student-2",
        "stream_version": 3,
        "event_type": "StudentErased",
        "schema_version": 2,
        "payload": b"{}",
        "metadata_json": b"{}",
        "recorded_at": datetime(1970, 1, 1, 0, 0, 1, 501, tzinfo=UTC),
        "scope": (),
    }
    for name, value in changes.items():
        changed = msgspec.structs.replace(ROW, **{name: value})
        assert leaf_bytes(changed) != leaf_bytes(ROW), name
