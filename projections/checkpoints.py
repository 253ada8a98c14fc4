"""The signed checkpoints the publisher stored (migration 0014) and inclusion proofs against
them: what `GET /checkpoint` and the GraphQL `logCheckpoint` / `eventInclusionProof` serve.
The notes are public documents: a tree size, a root hash and a time, no personal data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bridgework.projections.merkle import stored_inclusion_proof
from bridgework.projections.seal import NODE_HEIGHT

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID


class Connection(Protocol):
    """An asyncpg pool or connection: all these reads need."""

    async def fetch(self, query: str, *args: Any) -> list[Any]: ...
    async def fetchrow(self, query: str, *args: Any) -> Any: ...
    async def fetchval(self, query: str, *args: Any) -> Any: ...


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root: bytes
    signed_at: datetime
    key_name: str
    note: str


_COLUMNS = "size, root, signed_at, key_name, note"


async def latest_checkpoint(conn: Connection) -> StoredCheckpoint | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM seal_checkpoints ORDER BY size DESC LIMIT 1"  # noqa: S608
    )
    return None if row is None else StoredCheckpoint(*row)


async def checkpoint_of_size(conn: Connection, size: int) -> StoredCheckpoint | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM seal_checkpoints WHERE size = $1",  # noqa: S608
        size,
    )
    return None if row is None else StoredCheckpoint(*row)


async def sealed_leaves(conn: Connection, size: int) -> list[bytes]:
    """The first `size` sealed leaf hashes, in leaf order."""
    rows = await conn.fetch(
        "SELECT leaf FROM seal_leaves WHERE leaf_index < $1 ORDER BY leaf_index", size
    )
    return [r[0] for r in rows]


@dataclass(frozen=True)
class Inclusion:
    """One event's leaf and the audit path from it to the root of `checkpoint`."""

    event_id: UUID
    position: int
    leaf_index: int
    leaf: bytes
    audit_path: list[bytes]
    checkpoint: StoredCheckpoint


class NotCovered(LookupError):
    """The event is unknown, or not in the latest checkpoint yet."""


async def inclusion_of(conn: Connection, event_id: UUID) -> Inclusion:
    """The proof that `event_id`'s leaf is in the tree of the latest checkpoint."""
    latest = await latest_checkpoint(conn)
    row = await conn.fetchrow(
        "SELECT leaf_index, position, leaf FROM seal_leaves WHERE event_id = $1", event_id
    )
    if row is None:
        if await conn.fetchval("SELECT 1 FROM events WHERE event_id = $1", event_id) is None:
            raise NotCovered("no such event")
        raise NotCovered("not sealed yet: ask again after the next checkpoint")
    index, position, leaf = row
    if latest is None or index >= latest.size:
        raise NotCovered("not in the latest checkpoint yet: ask again after the next one")
    path = await stored_inclusion_proof(SealedTree(conn), index, latest.size, 1 << NODE_HEIGHT)
    return Inclusion(event_id, position, index, leaf, path, latest)


class SealedTree:
    """The sealed tree as `stored_inclusion_proof` reads it: `seal_nodes` and `seal_leaves`."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def node(self, height: int, index: int) -> bytes | None:
        found: bytes | None = await self.conn.fetchval(
            "SELECT hash FROM seal_nodes WHERE height = $1 AND index = $2", height, index
        )
        return found

    async def leaves(self, start: int, end: int) -> list[bytes]:
        rows = await self.conn.fetch(
            "SELECT leaf FROM seal_leaves WHERE leaf_index >= $1 AND leaf_index < $2"
            " ORDER BY leaf_index",
            start,
            end,
        )
        return [r[0] for r in rows]
