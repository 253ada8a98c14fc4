"""Replaying the log into a scratch schema: every read model as it stood at a checkpoint.

The same projections the runner keeps live (their `schema` DDL, `apply_batch`, the erasure
scrub) are applied to a prefix of the log, in its gap-safe order, on a connection whose
`search_path` starts with the scratch schema: unqualified table names then create and write
the scratch copies, and the live tables are never touched. Each batch commits on its own (a
build in one transaction would hold back every reader of the log for as long as it runs);
`projections/asof.py` builds under a temporary name and renames when complete.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from bridgework.projections.scrub import apply_events, undecoded, wants
from bridgework.services.ports import ORIGIN, Checkpoint

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from bridgework.projections.applying import Projection
    from bridgework.projections.db import Connection
    from bridgework.services.ports import EventCodec, EventStore, StoredEvent

VISIBLE = "tx_id < pg_snapshot_xmin(pg_current_snapshot())"
"""Only events of finished transactions: a prefix of the gap-safe order that never changes."""

AT_POSITION = f"""
SELECT tx_id, position FROM events WHERE position <= $1 AND {VISIBLE}
ORDER BY tx_id DESC, position DESC LIMIT 1
"""  # noqa: S608 - constants
"""The last event, in gap-safe order, of those at or below a position."""

AT_TIME = f"""
WITH later AS (
    SELECT tx_id, position FROM events WHERE recorded_at > $1 AND {VISIBLE}
    ORDER BY tx_id, position LIMIT 1
)
SELECT e.tx_id, e.position FROM events e LEFT JOIN later ON true
WHERE e.{VISIBLE}
  AND (later.tx_id IS NULL OR (e.tx_id, e.position) < (later.tx_id, later.position))
ORDER BY e.tx_id DESC, e.position DESC LIMIT 1
"""  # noqa: S608 - constants
"""The end of the longest gap-safe prefix recorded by a time: what a live view, which only
ever applies such prefixes of committed events, could have shown then."""

VISIBLE_END = f"SELECT coalesce(max(position), 0) FROM events WHERE {VISIBLE}"  # noqa: S608

COUNT_UPTO = f"""
SELECT count(*) FROM events WHERE (tx_id, position) <= ($1::xid8, $2::bigint) AND {VISIBLE}
"""  # noqa: S608 - constants

LAST_ERASURE = """
SELECT position FROM events WHERE event_type = 'StudentErased'
ORDER BY tx_id DESC, position DESC LIMIT 1
"""
"""An erasure scrubs every view, past ones included: a schema built before it is stale."""


def replayed(projections: Sequence[Projection]) -> list[Projection]:
    """The read models an as-of view holds: all but the sealer, which chains the live log."""
    return [p for p in projections if not undecoded(p)]


def fingerprint(projections: Sequence[Projection], migrations: Sequence[str]) -> str:
    """Names the code a scratch schema was built by: a changed projection version or a new
    migration makes every schema built before it unusable."""
    parts = [*migrations, *(f"{p.name}:{p.version}" for p in replayed(projections))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:10]


class ReplayFailed(RuntimeError):
    """A projection failed on an event while replaying (the live runner parks such events)."""


async def replay_into(
    conn: Connection,
    store: EventStore,
    codec: EventCodec,
    projections: Sequence[Projection],
    upto: Checkpoint,
    *,
    schema: str,
    batch_size: int = 2000,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Create every projection's tables on `conn` (whose search_path starts with the scratch
    schema) and apply the log's events up to and including `upto`; return how many."""
    chosen = replayed(projections)
    for p in chosen:
        await conn.execute(p.schema)
    if missing := missing_tables(chosen, await tables_in(conn, schema)):
        raise ReplayFailed(f"tables not made in the scratch schema: {', '.join(missing)}")
    after, total = ORIGIN, 0
    while after < upto:
        events = [e for e in await store.read_after(after, batch_size) if e.checkpoint <= upto]
        if not events:
            break
        await _apply(conn, codec, chosen, events)
        after, total = events[-1].checkpoint, total + len(events)
        if on_batch is not None:
            on_batch(len(events))
    return total


async def _apply(
    conn: Connection,
    codec: EventCodec,
    projections: Sequence[Projection],
    events: Sequence[StoredEvent],
) -> None:
    """One batch into every projection, in one transaction; each event decoded once."""
    decoded = {
        e.position: codec.decode(e)
        for e in events
        if any(wants(p, e.event_type) for p in projections)
    }
    async with conn.transaction():
        for p in projections:
            handled = [(e, decoded[e.position]) for e in events if wants(p, e.event_type)]
            if not handled:
                continue
            try:
                await apply_events(p, conn, handled)
            except Exception as error:
                first = handled[0][0].position
                raise ReplayFailed(
                    f"projection {p.name} failed replaying events from position {first}: "
                    f"{type(error).__name__}"
                ) from error


async def tables_in(conn: Connection, schema: str) -> set[str]:
    """The tables a schema holds."""
    rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
    return {r[0] for r in rows}


def missing_tables(projections: Sequence[Projection], found: set[str]) -> list[str]:
    """Tables a projection names that its DDL did not make in the scratch schema (it would
    write the live one instead: such a build is refused)."""
    return sorted({t for p in replayed(projections) for t in p.tables} - found)


def as_checkpoint(row: Any) -> Checkpoint:
    """A (tx_id, position) row as a checkpoint; no row: the start of the log."""
    return ORIGIN if row is None else Checkpoint(row[0], row[1])
