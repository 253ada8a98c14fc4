"""`bridgework verify`: recompute every event's leaf from the log and compare the tree it
gives with the one the sealer stored (`projections/seal.py`, migration 0009), naming the
first event that was altered, removed, inserted or moved since it was sealed."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bridgework.projections.merkle import Frontier
from bridgework.projections.seal import LEAF_HASH_SQL, LEAF_PREIMAGE_SQL

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator
    from uuid import UUID

    import asyncpg

_PAGE = 10_000
_CONCURRENT = 3
"""Pages hashed at once: PostgreSQL hashes one page a connection, in parallel."""

_CUTS = """
SELECT tx_id, position FROM (
    SELECT tx_id, position, row_number() OVER (ORDER BY tx_id, position) AS n FROM events
) AS ordered WHERE n % $1 = 0 AND n <= $2 ORDER BY n
"""
"""The last event of every full page, in gap-safe order (an index-only scan)."""

_RANGE = f"""
SELECT position, tx_id, event_id, {LEAF_HASH_SQL} FROM events
WHERE (tx_id, position) > ($1::xid8, $2::bigint) AND (tx_id, position) <= ($3::xid8, $4::bigint)
ORDER BY tx_id, position
"""  # noqa: S608 - the only interpolation is the constant leaf expression

_HASHED = f"""
SELECT position, tx_id, event_id, {LEAF_HASH_SQL} FROM events
WHERE (tx_id, position) > ($1::xid8, $2::bigint) ORDER BY tx_id, position LIMIT $3
"""  # noqa: S608 - the only interpolation is the constant leaf expression

_CHECKED = """
SELECT log.n, log.leaves, sealed.n, sealed.leaves FROM (
    SELECT count(*) AS n, {} AS leaves FROM events
    WHERE (tx_id, position) > ($1::xid8, $2::bigint) AND (tx_id, position) <= ($3::xid8, $4::bigint)
) AS log, (
    SELECT count(*) AS n, string_agg(leaf, ''::bytea ORDER BY leaf_index) AS leaves FROM seal_leaves
    WHERE leaf_index >= $5 AND leaf_index < $6
) AS sealed
"""
_HASHED_THERE = _CHECKED.format(f"string_agg({LEAF_HASH_SQL}, ''::bytea ORDER BY tx_id, position)")
_HASHED_HERE = _CHECKED.format(f"array_agg({LEAF_PREIMAGE_SQL} ORDER BY tx_id, position)")
"""A full page's leaves (hashed by PostgreSQL, concatenated) or their preimages (an array,
hashed here) beside the stored leaves at the indices it should have, concatenated: one round
trip and four values a page, no record an event."""

_HERE_EVERY = 2
"""Every second page is hashed in Python (hashlib, about 3x as fast as PostgreSQL's sha256),
the others by PostgreSQL: the database's two cores build the leaves' bytes, Python's hashes
half of them and builds the tree (1.15-1.45x all pages hashed there in paired runs; all
hashed here is slower: tests/bench row 17b)."""

_LEAVES = (
    "SELECT leaf_index, position, event_id, leaf FROM seal_leaves"
    " WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index"
)


@dataclass(frozen=True)
class Leaf:
    """One event of the log as `verify` recomputed it."""

    position: int
    event_id: UUID
    hash: bytes


async def recomputed(
    pool: asyncpg.Pool, limit: int | None = None
) -> AsyncIterator[tuple[tuple[int, int], list[Leaf]]]:
    """The log's leaves in gap-safe order, hashed by the database (`LEAF_HASH_SQL`), a page
    at a time, each with the (tx_id, position) of its last event; the first `limit` only.
    The full pages are hashed `_CONCURRENT` at a time, then the rest one after another."""
    most = (1 << 62) if limit is None else limit
    cuts = await _cuts(pool, most)
    seen = 0
    ranges = [(_RANGE, (*low, *high)) for low, high in itertools.pairwise(cuts)]
    async for rows in _ahead(pool, ranges):
        if rows:  # (empty only if a superuser deleted the page since the cuts)
            seen += len(rows)
            yield (rows[-1][1], rows[-1][0]), [Leaf(r[0], r[2], r[3]) for r in rows]
    async for page in _hashed_after(pool, cuts[-1], most - seen):
        yield page


async def _cuts(pool: asyncpg.Pool, most: int) -> list[tuple[int, int]]:
    return [(0, 0), *((r[0], r[1]) for r in await pool.fetch(_CUTS, _PAGE, most))]


async def _ahead(
    pool: asyncpg.Pool, queries: list[tuple[str, tuple[Any, ...]]]
) -> AsyncGenerator[list[asyncpg.Record]]:
    """`pool.fetch(query, *arguments)` of every query, in order, `_CONCURRENT` at once."""
    pending = iter(queries)
    window: collections.deque[asyncio.Task[list[asyncpg.Record]]] = collections.deque()
    try:
        for query, each in itertools.islice(pending, _CONCURRENT):
            window.append(asyncio.create_task(pool.fetch(query, *each)))
        while window:
            rows = await window.popleft()
            for query, each in itertools.islice(pending, 1):
                window.append(asyncio.create_task(pool.fetch(query, *each)))
            yield rows
    finally:
        for task in window:
            task.cancel()


async def _hashed_after(
    pool: asyncpg.Pool, last: tuple[int, int], most: int
) -> AsyncIterator[tuple[tuple[int, int], list[Leaf]]]:
    """The next `most` leaves after the event at `last`, a page at a time, one after another."""
    seen = 0
    while seen < most:
        rows = await pool.fetch(_HASHED, *last, min(_PAGE, most - seen))
        if not rows:
            return
        last, seen = (rows[-1][1], rows[-1][0]), seen + len(rows)
        yield last, [Leaf(r[0], r[2], r[3]) for r in rows]


@dataclass(frozen=True)
class Verdict:
    """What `verify` found: `problem` is None when the log is the one sealed."""

    sealed: int
    """Leaves in the stored tree."""
    unsealed: int
    """Events after them, not sealed yet (no verdict on those)."""
    problem: str | None = None
    problem_at: int | None = None
    """The leaf index the problem was found at."""


async def verify(pool: asyncpg.Pool) -> Verdict:
    """Recompute the leaves of the log's first `size` events in gap-safe order and compare
    each with the stored one, then the root they give with the stored root."""
    state = await pool.fetchrow("SELECT size, frontier, root FROM seal_state")
    if state is None:
        return Verdict(0, 0, "seal_state has no row: the seal itself was removed")
    size: int = state["size"]
    frontier = Frontier()
    last = await _full_pages(pool, size, frontier)
    checked_up_to = last
    async for last, page in _hashed_after(pool, checked_up_to, size - frontier.size):  # noqa: B007
        first = frontier.size
        stored_rows = await pool.fetch(_LEAVES, first, first + len(page))
        for i, leaf in enumerate(page):
            row = stored_rows[i] if i < len(stored_rows) else None
            if row is None or row["leaf_index"] != frontier.size:
                problem = f"leaf {frontier.size}: its stored hash was removed"
                return Verdict(size, 0, problem, frontier.size)
            if leaf.hash != row["leaf"]:
                return Verdict(size, 0, await _which(pool, frontier.size, leaf, row), frontier.size)
            frontier.append(leaf.hash)
    if frontier.size < size:
        missing = await pool.fetchrow(_LEAVES, frontier.size, frontier.size + 1)
        what = "an event" if missing is None else _event(missing["position"], missing["event_id"])
        problem = f"leaf {frontier.size}: {what} was removed from the log"
        return Verdict(size, 0, problem, frontier.size)
    if frontier.hashes != list(state["frontier"]) or frontier.root() != state["root"]:
        return Verdict(size, 0, f"the stored root of {size} leaves is not the leaves' root")
    unsealed: int = await pool.fetchval(
        "SELECT count(*) FROM events WHERE (tx_id, position) > ($1::xid8, $2::bigint)", *last
    )
    return Verdict(size, unsealed)


async def _full_pages(pool: asyncpg.Pool, size: int, frontier: Frontier) -> tuple[int, int]:
    """Check the full pages of the first `size` events in bulk, `_CONCURRENT` at once, adding
    their leaves to `frontier` up to the first page that differs in any way (`verify` then
    compares it and the rest a leaf at a time, naming the first problem); the (tx_id,
    position) of the last event checked."""
    cuts = await _cuts(pool, size)
    pages = [
        (
            _HASHED_HERE if k % _HERE_EVERY == _HERE_EVERY - 1 else _HASHED_THERE,
            (*low, *high, k * _PAGE, (k + 1) * _PAGE),
        )
        for k, (low, high) in enumerate(itertools.pairwise(cuts))
    ]
    sha256 = hashlib.sha256
    async with contextlib.aclosing(_ahead(pool, pages)) as checked:
        async for ((found, log, stored_count, stored),) in checked:
            leaves = b"".join([sha256(b).digest() for b in log]) if isinstance(log, list) else log
            if not found == stored_count == _PAGE or leaves != stored:
                break
            # leaf_index is unique and in the page's range: these are every one of them, in order
            frontier.extend([leaves[i : i + 32] for i in range(0, len(leaves), 32)])
    return cuts[frontier.size // _PAGE]


def _event(position: int, event_id: UUID) -> str:
    return f"event {event_id} at position {position}"


async def _which(pool: asyncpg.Pool, index: int, found: Leaf, sealed: asyncpg.Record) -> str:
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
