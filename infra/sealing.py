"""`bridgework verify`: recompute every event's leaf from the log and compare the tree it
gives with the one the sealer stored (`projections/seal.py`, migration 0009), naming the
first event that was altered, removed, inserted or moved since it was sealed."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridgework.infra import statements
from bridgework.infra.runtime import open_database
from bridgework.projections.merkle import Frontier, leaf_hash
from bridgework.projections.seal import leaf_bytes

if TYPE_CHECKING:
    import argparse
    from uuid import UUID

    import asyncpg
    from bridgework.infra.settings import Settings
    from bridgework.services.ports import StoredEvent

_PAGE = 5000

_EVENTS = f"""
SELECT {statements.COLUMNS} FROM events
WHERE (tx_id, position) > ($1::xid8, $2::bigint) ORDER BY tx_id, position LIMIT $3
"""  # noqa: S608 - the only interpolation is the constant column list

_LEAVES = (
    "SELECT leaf_index, position, event_id, leaf FROM seal_leaves"
    " WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index"
)


@dataclass(frozen=True)
class Verdict:
    """What `verify` found: `problem` is None when the log is the one sealed."""

    sealed: int
    """Leaves in the stored tree."""
    unsealed: int
    """Events after them, not sealed yet (no verdict on those)."""
    problem: str | None = None


async def verify(pool: asyncpg.Pool) -> Verdict:
    """Recompute the leaves of the log's first `size` events in gap-safe order and compare
    each with the stored one, then the root they give with the stored root."""
    state = await pool.fetchrow("SELECT size, frontier, root FROM seal_state")
    if state is None:
        return Verdict(0, 0, "seal_state has no row: the seal itself was removed")
    size: int = state["size"]
    frontier = Frontier()
    last = (0, 0)
    while frontier.size < size:
        rows = await pool.fetch(_EVENTS, *last, min(_PAGE, size - frontier.size))
        if not rows:
            break
        first = frontier.size
        stored = await pool.fetch(_LEAVES, first, first + len(rows))
        for i, event in enumerate(map(statements.stored_event, rows)):
            row = stored[i] if i < len(stored) else None
            if row is None or row["leaf_index"] != frontier.size:
                return Verdict(size, 0, f"leaf {frontier.size}: its stored hash was removed")
            leaf = leaf_hash(leaf_bytes(event))
            if leaf != row["leaf"]:
                return Verdict(size, 0, await _which(pool, frontier.size, event, row))
            frontier.append(leaf)
            last = (event.tx_id, event.position)
    if frontier.size < size:
        missing = await pool.fetchrow(_LEAVES, frontier.size, frontier.size + 1)
        what = "an event" if missing is None else _event(missing["position"], missing["event_id"])
        return Verdict(size, 0, f"leaf {frontier.size}: {what} was removed from the log")
    if frontier.hashes != list(state["frontier"]) or frontier.root() != state["root"]:
        return Verdict(size, 0, f"the stored root of {size} leaves is not the leaves' root")
    unsealed: int = await pool.fetchval(
        "SELECT count(*) FROM events WHERE (tx_id, position) > ($1::xid8, $2::bigint)", *last
    )
    return Verdict(size, unsealed)


def _event(position: int, event_id: UUID) -> str:
    return f"event {event_id} at position {position}"


async def _which(pool: asyncpg.Pool, index: int, found: StoredEvent, sealed: asyncpg.Record) -> str:
    """Say how the event the log has at leaf `index` differs from the one sealed there."""
    if found.event_id == sealed["event_id"]:
        return f"leaf {index}: {_event(found.position, found.event_id)} was altered"
    still_there = await pool.fetchval(
        "SELECT position FROM events WHERE event_id = $1", sealed["event_id"]
    )
    if still_there is None:
        what = _event(sealed["position"], sealed["event_id"])
        return f"leaf {index}: {what} was removed from the log"
    was_sealed = await pool.fetchval(
        "SELECT leaf_index FROM seal_leaves WHERE event_id = $1", found.event_id
    )
    if was_sealed is None:
        what = _event(found.position, found.event_id)
        return f"leaf {index}: {what} was inserted (it was never sealed)"
    what = _event(found.position, found.event_id)
    return f"leaf {index}: {what} was moved (it was sealed as leaf {was_sealed})"


def add_verify_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    commands.add_parser(
        "verify",
        parents=[data],
        help="check that the log is the one sealed; exit 1 naming the first altered event",
        description="Recompute every event's leaf from the log and compare them and their "
        "Merkle root with the sealed tree. Exit 0 when they match, 1 when they do not.",
    )


async def verify_command(settings: Settings, args: argparse.Namespace) -> None:
    del args
    async with open_database(settings) as pool:  # read only: an auditor's role may verify
        verdict = await verify(pool)
    if verdict.problem is not None:
        sys.stdout.write(f"TAMPERED: {verdict.problem}\n")
        raise SystemExit(1)
    sys.stdout.write(
        f"ok: {verdict.sealed:,} sealed events match the sealed root"
        f" ({verdict.unsealed:,} newer events not sealed yet)\n"
    )
