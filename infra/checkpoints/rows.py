"""An export's rows: every stored field a leaf is computed from (`leaf_bytes`), the payload
and metadata as the stored JSON text (sealed personal fields still sealed), as JSON lines or
CSV, and back into the stored event they were."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from bridgework.services.ports import StoredEvent

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import TextIO

FORMATS = ("jsonl", "csv")
COLUMNS = (
    "leaf_index",
    "position",
    "event_id",
    "stream_id",
    "stream_version",
    "event_type",
    "public_type",
    "schema_version",
    "payload",
    "metadata",
    "recorded_at",
    "scope",
)


class RowError(ValueError):
    """A row of an export that does not read."""


def as_row(leaf_index: int, e: StoredEvent, public_type: str) -> dict[str, Any]:
    return {
        "leaf_index": leaf_index,
        "position": e.position,
        "event_id": str(e.event_id),
        "stream_id": e.stream_id,
        "stream_version": e.stream_version,
        "event_type": e.event_type,
        "public_type": public_type,
        "schema_version": e.schema_version,
        "payload": e.payload.decode(),
        "metadata": e.metadata_json.decode(),
        "recorded_at": e.recorded_at.isoformat(timespec="microseconds"),
        "scope": " ".join(str(o) for o in e.scope),
    }


def from_row(row: dict[str, Any]) -> tuple[int, StoredEvent]:
    """The leaf index and the stored event of a row; a `RowError` naming the bad field."""
    field = "leaf_index"
    try:
        index = int(row[field])
        field = "recorded_at"
        at = _utc_time(str(row[field]))
        field = "event_id"
        event = StoredEvent(
            position=int(row["position"]),
            tx_id=0,  # not part of the leaf
            event_id=UUID(str(row["event_id"])),
            stream_id=str(row["stream_id"]),
            stream_version=int(row["stream_version"]),
            event_type=str(row["event_type"]),
            schema_version=int(row["schema_version"]),
            payload=str(row["payload"]).encode(),
            metadata_json=str(row["metadata"]).encode(),
            recorded_at=at,
            scope=tuple(UUID(o) for o in str(row["scope"]).split()),
        )
    except KeyError as e:
        raise RowError(f"no {e.args[0]!r} field") from None
    except (TypeError, ValueError):
        raise RowError(f"{field}: does not read") from None
    return index, event


def _utc_time(raw: str) -> datetime:
    at = datetime.fromisoformat(raw)
    if at.utcoffset() is None:
        raise ValueError(raw)
    return at


class Writer:
    def __init__(self, out: TextIO, fmt: str) -> None:
        self.out = out
        self.csv = csv.DictWriter(out, COLUMNS) if fmt == "csv" else None
        if self.csv is not None:
            self.csv.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        if self.csv is not None:
            self.csv.writerow(row)
        else:
            self.out.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_rows(source: TextIO, fmt: str) -> Iterator[dict[str, Any]]:
    """The rows of an export file, as dicts; a `RowError` for a line that is not one."""
    if fmt == "csv":
        reader = csv.DictReader(source)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise RowError("the CSV header is not the export's columns")
        yield from reader
        return
    for number, line in enumerate(source, 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            raise RowError(f"line {number} is not JSON") from None
        if not isinstance(row, dict):
            raise RowError(f"line {number} is not an object")
        yield row
