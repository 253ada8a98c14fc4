"""What `bridgework status` shows of the feed's named consumers (`infra/feed_consumers.py`):
every owner's, each one's acknowledged position and how far behind the log's head it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from bridgework.infra import statements
from bridgework.infra.statements import LAG_COUNT_CAP
from bridgework.infra.terminal import aligned

if TYPE_CHECKING:
    import asyncpg

_LAGS = f"""
SELECT c.owner, c.name, c.position, lag.events, lag.seconds
FROM (SELECT owner, name, acked_tx_id AS tx_id, acked_position AS position
      FROM feed_consumers) AS c {statements.behind("c")}
ORDER BY c.owner, c.name
"""  # noqa: S608 - a constant fragment


class ConsumerLag(msgspec.Struct, frozen=True):
    owner: str
    """The principal whose consumer it is (`apikey:<id>` for an integration's key)."""
    name: str
    position: int
    """The position of the last event it acknowledged (0: none yet)."""
    events: int
    """Events in the log after it, whether or not it may see them (at most `LAG_COUNT_CAP`)."""
    seconds: float
    """Age of the oldest of them (0: none)."""


async def consumer_lags(pool: asyncpg.Pool) -> list[ConsumerLag]:
    """Every named consumer, by owner and name, with how far behind the log it is."""
    return [ConsumerLag(*row) for row in await pool.fetch(_LAGS, LAG_COUNT_CAP)]


def consumer_report(found: list[ConsumerLag]) -> str:
    """One row per consumer for `bridgework status`."""
    if not found:
        return "feed consumers: none registered\n"
    rows = [("FEED CONSUMER", "OWNER", "POSITION", "LAG (EVENTS)", "LAG (SECONDS)")]
    for c in found:
        lag = statements.capped(c.events)
        rows.append((c.name, c.owner, f"{c.position:,}", lag, f"{c.seconds:.1f}"))
    return aligned(rows)
