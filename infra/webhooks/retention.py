"""How long the delivery log keeps what was delivered (`BRIDGEWORK_WEBHOOK_RETENTION`): the
worker deletes older delivered messages, their attempts cascading (migration 0017 indexes
them). An endpoint's place in the log is its own checkpoint, not its messages, so pruning
never sends anything again; pending and dead-lettered messages are never pruned."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncpg

EVERY_SECONDS = 600.0
BATCH = 5_000
_PRUNE = """
DELETE FROM webhook_messages WHERE seq IN (
    SELECT seq FROM webhook_messages
    WHERE status = 'delivered' AND delivered_at < now() - make_interval(secs => $1)
    ORDER BY delivered_at LIMIT $2)
"""

log = logging.getLogger("bridgework.webhooks")


async def prune(pool: asyncpg.Pool, retention_seconds: float) -> int:
    """Delete the messages delivered longer ago than `retention_seconds`, a batch at a time so
    no transaction holds many rows; return how many."""
    pruned = 0
    while True:
        status = await pool.execute(_PRUNE, retention_seconds, BATCH)
        done = int(status.split()[-1])
        pruned += done
        if done < BATCH:
            if pruned:
                log.info("webhooks: pruned %d delivered message(s)", pruned)
            return pruned
