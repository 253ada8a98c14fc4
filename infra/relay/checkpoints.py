"""A relay's place in the log (`relay_checkpoints`, migration 0013) and how far behind it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridgework.infra import statements
from bridgework.infra.statements import LAG_COUNT_CAP
from bridgework.services.ports import Checkpoint

if TYPE_CHECKING:
    import asyncpg

_OPEN = """
INSERT INTO relay_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING;
"""
_READ = "SELECT tx_id, position FROM relay_checkpoints WHERE name = $1"
# Never backwards: a second relay of the same name that lags cannot undo the first's work.
_MOVE = """
UPDATE relay_checkpoints
SET tx_id = $2::xid8, position = $3, relayed = relayed + $4, updated_at = now()
WHERE name = $1 AND (tx_id, position) < ($2::xid8, $3::bigint)
"""
_LAGS = f"""
SELECT r.name, r.position, lag.events, lag.seconds
FROM relay_checkpoints AS r {statements.behind("r")}
WHERE $2::text IS NULL OR r.name = $2::text
ORDER BY r.name
"""  # noqa: S608 - a constant fragment


@dataclass(frozen=True)
class Lag:
    name: str
    position: int
    """The last position relayed."""
    events: int
    """Events not yet relayed (at most `LAG_COUNT_CAP`)."""
    seconds: float
    """Age of the oldest of them (0: none)."""


async def open_checkpoint(pool: asyncpg.Pool, name: str) -> Checkpoint:
    """Where relay `name` got to (the row is made at the log's start if it is new)."""
    async with pool.acquire() as conn:
        await conn.execute(_OPEN, name)
        row = await conn.fetchrow(_READ, name)
    assert row is not None  # noqa: S101 - made just above, never deleted
    return Checkpoint(int(row[0]), row[1])


async def move_checkpoint(pool: asyncpg.Pool, name: str, to: Checkpoint, relayed: int) -> None:
    await pool.execute(_MOVE, name, to.tx_id, to.position, relayed)


async def lag_of(pool: asyncpg.Pool, name: str) -> Lag:
    [lag] = await lags(pool, name)
    return lag


async def lags(pool: asyncpg.Pool, name: str | None = None) -> list[Lag]:
    """How far behind every relay (or the one named) is, by name: whichever process runs it."""
    rows = await pool.fetch(_LAGS, LAG_COUNT_CAP, name)
    return [Lag(*row) for row in rows]


def relay_report(found: list[Lag]) -> str:
    """One line per relay for `bridgework status`."""
    return "".join(
        f"relay {r.name}: position {r.position:,}, {statements.capped(r.events)} events behind"
        f" (oldest {r.seconds:.1f} s)\n"
        for r in found
    )
