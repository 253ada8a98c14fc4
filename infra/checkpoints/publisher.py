"""The checkpoint publisher: a periodic task in the process that runs the sealer (`serve`,
or a `bridgework project` worker). Whenever the sealed tree grew since the last checkpoint it
signs the tree's size and root and stores the note (migration 0014). It reads only the
sealer's one state row (a plain read, never waiting on the sealer's lock) and writes only its
own table, so it never slows a writer."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bridgework.infra.checkpoints.note import TreeHead

if TYPE_CHECKING:
    from collections.abc import Callable

    import asyncpg
    from bridgework.infra.checkpoints.signer import Signer

log = logging.getLogger("bridgework")

_STORE = (
    "INSERT INTO seal_checkpoints (size, root, signed_at, key_name, note)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (size) DO NOTHING"
)


class Publisher:
    def __init__(
        self,
        pool: asyncpg.Pool,
        signer: Signer,
        interval: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.pool = pool
        self.signer = signer
        self.interval = interval
        self.clock = clock

    async def publish(self) -> TreeHead | None:
        """Sign and store the sealed tree if it grew; the new tree head, or None."""
        state = await self.pool.fetchrow("SELECT size, root FROM seal_state")
        if state is None or state["size"] == 0:
            return None
        latest = await self.pool.fetchval("SELECT max(size) FROM seal_checkpoints")
        if latest is not None and state["size"] <= latest:
            return None
        head = TreeHead(self.signer.name, state["size"], state["root"], self.clock())
        # Two publishers (two processes) signing the same size store one note.
        await self.pool.execute(
            _STORE, head.size, head.root, head.time, self.signer.name, self.signer.sign(head)
        )
        return head

    async def run(self) -> None:
        """Publish every `interval` seconds until cancelled; a failure waits for the next turn."""
        while True:
            try:
                await self.publish()
            except Exception:
                log.warning("checkpoint: could not publish", exc_info=True)
            await asyncio.sleep(self.interval)
