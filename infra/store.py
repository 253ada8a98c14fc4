"""The event store on PostgreSQL with asyncpg: atomic multi-stream appends, gap-safe reads.

Global order without a table lock (FIELD_NOTES.md): every event carries the id of the
transaction that wrote it (`xid8`). Readers follow `(tx_id, position)` and only take events
of transactions older than the oldest one still running, so an event that commits late
with a lower position can never appear behind a reader's checkpoint, and writers never
wait for each other except on the same stream.

Wake-ups (`infra/wakeups.py`): after each commit the store sends one `NOTIFY`; every process
LISTENs, on a connection that heals itself, and wakes its local waiters.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import asyncpg
import msgspec
from bridgework.infra import appending, crypto, statements, wakeups
from bridgework.infra.appending import Write
from bridgework.infra.wakeups import StoreStats, Wakeups
from bridgework.services.decided import Decided, first_appends
from bridgework.services.ports import (
    Checkpoint,
    CommandRecord,
    EventStore,
    LogFilter,
    OutgoingMail,
    StoredCommand,
    StoredEvent,
    StoredSnapshot,
    StreamAppend,
    VersionConflict,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

_encode = msgspec.json.Encoder().encode


class PostgresEventStore(EventStore):
    def __init__(self, pool: asyncpg.Pool, keks: crypto.Keks | None = None) -> None:
        self._pool = pool
        self.vault = crypto.Vault(crypto.PostgresKeys(pool), keks or crypto.process_keks())
        """Seals personal fields on the way in, opens them on the way out (infra/crypto/)."""
        self.stats = StoreStats()
        self._wakeups = Wakeups(pool, self.stats)
        self._held_back_since: float | None = None
        """Since when readers have found events committed but not yet readable."""

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool

    @property
    def listening(self) -> bool:
        """True while NOTIFY reaches this process; False while its readers poll."""
        return self._wakeups.listening

    async def start(self) -> None:
        """LISTEN (and keep listening, across drops and restarts) and start the notifier."""
        await self._wakeups.start()

    async def close(self) -> None:
        await self._wakeups.close()

    # -- writing ------------------------------------------------------------------------

    async def append(
        self,
        appends: Sequence[StreamAppend],
        *,
        command: CommandRecord | None = None,
        mail: Sequence[OutgoingMail] = (),
    ) -> int:
        return (await self.append_group([Decided(appends=appends, command=command, mail=mail)]))[0]

    async def append_group(self, group: Sequence[Decided]) -> list[int]:
        first = first_appends(group)
        # personal fields sealed before they are sent
        sealing = await self.vault.seal([a for d in group for a in d.appends])
        commands = [d.command and await self.vault.seal_command(d.command) for d in group]
        events = [e for a in sealing.appends for e in a.events]
        records = appending.records_of(group, commands, sealing.appends)
        guarded = [a for a in first if a.expected_version > 0]
        write = Write(sealing, guarded, events, records, [m for d in group for m in d.mail])
        try:
            positions = await self._write(write, first)
        except VersionConflict:
            self.stats.version_conflicts += 1
            raise
        self.vault.committed(sealing)
        if events:
            self.stats.appends += 1
            self.stats.events_appended += len(events)
            self._wakeups.committed()
        return positions

    async def _write(self, write: Write, first: Sequence[StreamAppend]) -> list[int]:
        try:
            if write.events:
                return await appending.insert(self._pool, write)
            if (conflict := await appending.stale(self._pool, write.guarded)) is not None:
                raise conflict
            return [0 if c is None else await self._record(c) for c, _ in write.records]
        except asyncpg.UniqueViolationError as e:
            records = [c for c, _ in write.records if c is not None]
            raise await appending.explain(
                self._pool, e, first, records, self.find_command
            ) from None

    async def _record(self, command: CommandRecord) -> int:
        """A command that appends nothing is recorded at the head of the log."""
        position = await self._pool.fetchval(
            "INSERT INTO commands (command_id, request_hash, result, position)"
            " SELECT $1, $2, $3, coalesce(max(position), 0) FROM events"
            " RETURNING position",
            command.command_id,
            command.request_hash,
            command.result,
        )
        return int(position)

    # -- reading ------------------------------------------------------------------------

    async def load(self, stream_id: str, *, after_version: int = 0) -> list[StoredEvent]:
        rows = await self._pool.fetch(statements.LOAD, stream_id, after_version)
        return await self.vault.load([statements.stored_event(r) for r in rows])

    async def load_snapshot(self, stream_id: str) -> StoredSnapshot | None:
        row = await self._pool.fetchrow(statements.LOAD_SNAPSHOT, stream_id)
        return None if row is None else statements.stored_snapshot(stream_id, row)

    async def load_latest(self, stream_id: str) -> tuple[StoredSnapshot | None, list[StoredEvent]]:
        rows = await self._pool.fetch(statements.LOAD_LATEST, stream_id)
        snapshot = None
        if rows and rows[0][0] is None:  # the snapshot row sorts first
            head = rows.pop(0)
            snapshot = StoredSnapshot(
                stream_id=stream_id,
                version=head[11],
                topic=head[12],
                layout=head[13],
                state=head[14],
            )
        return snapshot, await self.vault.load([statements.stored_event(r) for r in rows])

    async def save_snapshot(self, snapshot: StoredSnapshot) -> None:
        await self._pool.execute(
            statements.SAVE_SNAPSHOT,
            snapshot.stream_id,
            snapshot.version,
            snapshot.topic,
            snapshot.layout,
            snapshot.state,
        )

    async def read_after(
        self,
        after: Checkpoint,
        limit: int,
        *,
        types: Sequence[str] | None = None,
        stream_id: str | None = None,
        scope: frozenset[UUID] | None = None,
        where: LogFilter | None = None,
    ) -> list[StoredEvent]:
        w = where or LogFilter()
        rows = await self._pool.fetch(
            statements.READ_AFTER,
            after.tx_id,
            after.position,
            limit,
            None if types is None else list(types),
            stream_id,
            None if scope is None else list(scope),
            w.actor,
            None if w.correlation_id is None else str(w.correlation_id),  # as msgspec writes it
            w.since,
            w.until,
        )
        return await self.vault.load([statements.stored_event(r) for r in rows])

    async def opened(self, events: list[StoredEvent]) -> list[StoredEvent]:
        return await self.vault.open(events)

    async def checkpoint_of(self, position: int) -> Checkpoint | None:
        tx_id = await self._pool.fetchval("SELECT tx_id FROM events WHERE position = $1", position)
        return None if tx_id is None else Checkpoint(tx_id, position)

    async def head(self) -> int:
        """The highest position written so far (0 for an empty log)."""
        head: int = await self._pool.fetchval("SELECT coalesce(max(position), 0) FROM events")
        return head

    async def versions(self, stream_ids: Sequence[str]) -> dict[str, int]:
        return await statements.versions(self._pool, stream_ids)

    async def find_command(self, command_id: str) -> StoredCommand | None:
        row = await self._pool.fetchrow(statements.FIND_COMMAND, command_id)
        return (
            None if row is None else await self.vault.open_command(statements.stored_command(row))
        )

    # -- waking readers -----------------------------------------------------------------

    def _pending_retry(self) -> float:
        now = time.monotonic()
        if self._held_back_since is None:
            self._held_back_since = now
        held = now - self._held_back_since
        return (
            wakeups.PENDING_RETRY_SECONDS
            if held < wakeups.HELD_BACK_AFTER_SECONDS
            else wakeups.HELD_BACK_RETRY_SECONDS
        )

    async def wait_for_new_events(
        self, max_wait: float, *, after: Checkpoint | None = None
    ) -> None:
        signal = self._wakeups.signal  # taken first: a wake-up from here on ends the wait
        if after is not None:
            readable = await self._pool.fetchval(statements.PENDING, after.tx_id, after.position)
            if readable is not False:
                self._held_back_since = None
            if readable is True:
                return
            if readable is False:  # committed, but an older transaction is still running
                await asyncio.sleep(min(self._pending_retry(), max_wait))
                return
        await self._wakeups.wait(signal, max_wait)
