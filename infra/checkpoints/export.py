"""`bridgework export`: the events recorded in a time range (of some public types), as
stored, to a file of rows (`rows.py`), with a manifest beside it (`FILE.manifest.json`) that
carries the signed checkpoint covering them, each row's leaf index, event id and inclusion
proof, and a signature over that listing, so `bridgework verify --export` checks the file
offline: no row altered, dropped, added or moved. Only events the latest checkpoint covers
are exported; newer ones wait for the next checkpoint."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bridgework.infra import statements
from bridgework.infra.checkpoints.rows import Writer, as_row
from bridgework.projections.checkpoints import latest_checkpoint, sealed_leaves
from bridgework.projections.merkle import audit_path, levels
from bridgework.services.contract import PUBLIC_NAMES

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from pathlib import Path

    import asyncpg
    from bridgework.infra.checkpoints.signer import Signer

MANIFEST_FORMAT = "bridgework.export.v1"
_PAGE = 5000
_COLUMNS = ", ".join(f"e.{c.strip()}" for c in statements.COLUMNS.split(","))
_ROWS = f"""
SELECT {_COLUMNS}, l.leaf_index FROM seal_leaves l JOIN events e ON e.event_id = l.event_id
WHERE l.leaf_index < $1 AND l.leaf_index > $2
  AND e.recorded_at >= $3 AND e.recorded_at < $4
  AND ($5::text[] IS NULL OR e.event_type = ANY($5::text[]))
ORDER BY l.leaf_index LIMIT $6
"""  # noqa: S608 - the only interpolation is the constant column list


class ExportError(ValueError):
    """An export that cannot be made, naming the option."""


def stored_types(public: list[str] | None) -> list[str] | None:
    """The stored event types of public type names; an `ExportError` naming an unknown one."""
    if public is None:
        return None
    known = {p: s for s, p in PUBLIC_NAMES.items()}
    unknown = [p for p in public if p not in known]
    if unknown:
        raise ExportError(
            f"--types: {', '.join(unknown)} not a public event type (GET /events/catalog)"
        )
    return sorted({known[p] for p in public})


def listing_digest(manifest: dict[str, Any]) -> str:
    """SHA-256 of the manifest without its signature, keys sorted, no spaces: base64."""
    core = {k: v for k, v in manifest.items() if k != "listing"}
    text = json.dumps(core, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def listing_body(origin: str, manifest: dict[str, Any]) -> str:
    return f"{origin}\nexport {manifest['rows']}\n{listing_digest(manifest)}\n"


@dataclass(frozen=True)
class Exported:
    rows: int
    tree_size: int
    manifest: Path


def manifest_path(output: Path) -> Path:
    return output.with_name(output.name + ".manifest.json")


async def export(
    pool: asyncpg.Pool,
    signer: Signer,
    *,
    since: datetime,
    until: datetime,
    types: list[str] | None,
    fmt: str,
    output: Path,
    on_rows: Callable[[int], None] = lambda _: None,
) -> Exported:
    stored = stored_types(types)
    checkpoint = await latest_checkpoint(pool)
    if checkpoint is None:
        raise ExportError("no checkpoint has been published yet: nothing is covered to export")
    size = checkpoint.size
    tree = levels(await sealed_leaves(pool, size))
    public = PUBLIC_NAMES
    listed: list[list[Any]] = []
    with output.open("w", encoding="utf-8", newline="") as out:
        writer, after = Writer(out, fmt), -1
        while rows := await pool.fetch(_ROWS, size, after, since, until, stored, _PAGE):
            for row in rows:
                index, event = row[-1], statements.stored_event(row)
                writer.write(as_row(index, event, public.get(event.event_type, "")))
                proof = [base64.b64encode(h).decode() for h in audit_path(tree, index)]
                listed.append([index, str(event.event_id), proof])
            after = rows[-1][-1]
            on_rows(len(rows))
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "rows_format": fmt,
        "from": since.isoformat(),
        "to": until.isoformat(),
        "types": types,
        "checkpoint": checkpoint.note,
        "tree_size": size,
        "rows": len(listed),
        "leaves": listed,
    }
    manifest["listing"] = signer.sign_text(listing_body(signer.name, manifest))
    path = manifest_path(output)
    path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return Exported(len(listed), size, path)
