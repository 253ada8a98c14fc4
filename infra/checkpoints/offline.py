"""`bridgework verify --export FILE --public-key FILE`, offline (no database): the manifest's
checkpoint and listing signatures, then every row: its leaf recomputed from its fields
(`leaf_bytes`) must be in the signed tree at the leaf index the listing gives (its inclusion
proof), in the listing's order, and no row may be missing or extra. Names the first bad row."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bridgework.infra.checkpoints.consistency import open_signed
from bridgework.infra.checkpoints.export import MANIFEST_FORMAT, listing_body, manifest_path
from bridgework.infra.checkpoints.note import NoteError, verified_body
from bridgework.infra.checkpoints.rows import FORMATS, RowError, from_row, read_rows
from bridgework.projections.merkle import leaf_hash, verify_inclusion
from bridgework.projections.seal import leaf_bytes

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from bridgework.infra.checkpoints.note import TreeHead, Verifier


@dataclass(frozen=True)
class ExportVerdict:
    rows: int
    head: TreeHead | None = None
    problem: str | None = None


def _manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(manifest_path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise NoteError(f"manifest: cannot read {manifest_path(path)} ({e})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise NoteError(f"manifest: not a {MANIFEST_FORMAT} manifest")
    if manifest.get("rows_format") not in FORMATS or not isinstance(manifest.get("leaves"), list):
        raise NoteError("manifest: no rows format or no leaves")
    return manifest


def _signed(manifest: dict[str, Any], verifiers: list[Verifier]) -> TreeHead:
    head = open_signed(str(manifest.get("checkpoint")), verifiers)
    if manifest.get("tree_size") != head.size:
        raise NoteError("manifest: its tree size is not the checkpoint's")
    signer = next((v for v in verifiers if v.name == head.origin), verifiers[0])
    try:
        listing = verified_body(str(manifest.get("listing")), signer)
    except NoteError as e:
        raise NoteError(f"manifest listing: {e}") from None
    if listing != listing_body(signer.name, manifest):
        raise NoteError("manifest: changed since it was signed (its listing digest differs)")
    return head


def _proof(entry: Any) -> tuple[int, str, list[bytes]]:
    index, event_id, proof = entry
    return int(index), str(event_id), [base64.b64decode(p, validate=True) for p in proof]


def verify_export(
    path: Path, verifiers: list[Verifier], on_rows: Callable[[int], None] = lambda _: None
) -> ExportVerdict:
    try:
        manifest = _manifest(path)
        head = _signed(manifest, verifiers)
    except NoteError as e:
        return ExportVerdict(0, None, str(e))
    listed = manifest["leaves"]
    count = 0
    try:
        with path.open(encoding="utf-8", newline="") as source:
            for count, row in enumerate(read_rows(source, manifest["rows_format"]), 1):
                problem = _check(count, row, listed, head)
                if problem is not None:
                    return ExportVerdict(count - 1, head, problem)
                if count % 5000 == 0:
                    on_rows(5000)
    except (OSError, UnicodeDecodeError, RowError) as e:
        return ExportVerdict(count, head, f"row {count + 1}: {e}")
    on_rows(count % 5000)
    if count < len(listed):
        index, event_id, _ = _proof(listed[count])
        problem = (
            f"row {count + 1} (leaf {index}, event {event_id}) is missing: the file has"
            f" {count:,} rows, the manifest lists {len(listed):,}"
        )
        return ExportVerdict(count, head, problem)
    return ExportVerdict(count, head)


def _check(number: int, row: dict[str, Any], listed: list[Any], head: TreeHead) -> str | None:
    if number > len(listed):
        return f"row {number} is extra: the manifest lists {len(listed):,} rows"
    try:
        index, event_id, proof = _proof(listed[number - 1])
    except (TypeError, ValueError, binascii.Error):
        return f"manifest: its entry for row {number} does not read"
    try:
        found_index, event = from_row(row)
    except RowError as e:
        return f"row {number} (leaf {index}, event {event_id}): {e}"
    if (found_index, str(event.event_id)) != (index, event_id):
        return (
            f"row {number}: leaf {found_index}, event {event.event_id} is not the row listed"
            f" there (leaf {index}, event {event_id}): a row was dropped, added or moved"
        )
    if not verify_inclusion(index, head.size, leaf_hash(leaf_bytes(event)), proof, head.root):
        return (
            f"row {number} (leaf {index}, event {event_id}) was altered: its leaf is not in"
            f" the signed tree of {head.size:,}"
        )
    return None
