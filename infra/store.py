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
from typing import TYPE_CHECKING, Any

import asyncpg
import msgspec
from bridgework.infra import crypto, statements, wakeups
from bridgework.infra.mail import enqueue
from bridgework.infra.mail.outbox import refuse_bad_mail
from bridgework.infra.wakeups import StoreStats, Wakeups
from bridgework.services.ports import (
    Checkpoint,
    CommandRecord,
    DuplicateCommand,
    EventStore,
    LogFilter,
    NewEvent,
    OutgoingMail,
    StoredCommand,
    StoredEvent,
    StoredSnapshot,
    StoreError,
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
        for a in appends:
            a.check()
        sealing = await self.vault.seal(appends)  # personal fields sealed before they are sent
        command = command and await self.vault.seal_command(command)
        appends, events = sealing.appends, [e for a in sealing.appends for e in a.events]
        if mail and not events:
            raise ValueError("mail is appended only with the events that decide it")
        refuse_bad_mail(mail)  # before any row is written: a refused append burns no position
        try:
            position = await self._write(appends, events, command, mail, sealing)
        except VersionConflict:
            self.stats.version_conflicts += 1
            raise
        self.vault.committed(sealing)
        if events:
            self.stats.appends += 1
            self.stats.events_appended += len(events)
            self._wakeups.committed()
        return position

    async def _write(
        self,
        appends: Sequence[StreamAppend],
        events: Sequence[NewEvent],
        command: CommandRecord | None,
        mail: Sequence[OutgoingMail],
        sealing: crypto.Sealing,
    ) -> int:
        try:
            if events:
                return await self._insert(appends, events, command, mail, sealing)
            if command is not None:
                position = await self._pool.fetchval(
                    "INSERT INTO commands (command_id, request_hash, result, position)"
                    " SELECT $1, $2, $3, coalesce(max(position), 0) FROM events"
                    " RETURNING position",
                    command.command_id,
                    command.request_hash,
                    command.result,
                )
                return int(position)
        except asyncpg.UniqueViolationError as e:
            raise await self._explain(e, appends, command) from None
        return 0

    async def _insert(
        self,
        appends: Sequence[StreamAppend],
        events: Sequence[NewEvent],
        command: CommandRecord | None,
        mail: Sequence[OutgoingMail],
        sealing: crypto.Sealing,
    ) -> int:
        guarded = [a for a in appends if a.expected_version > 0]
        args: list[Any] = [
            [e.event_id for e in events],
            [e.stream_id for e in events],
            [e.stream_version for e in events],
            [e.event_type for e in events],
            [e.schema_version for e in events],
            [e.payload for e in events],
            [_encode(e.metadata) for e in events],
            [statements.uuids(a.scope) for a in appends for _ in a.events],
        ]
        if guarded:
            args += [[a.stream_id for a in guarded], [a.expected_version for a in guarded]]
        if command is not None:
            args += [command.command_id, command.request_hash, command.result]
        if sealing.fresh:  # a new subject's key is inserted with its first events
            args += crypto.insert_args(sealing.fresh)
        statement = statements.append_statement(
            guard=bool(guarded), record=command is not None, keys=bool(sealing.fresh)
        )
        if mail or sealing.erasing:  # the outbox row (an erasure) commits with the events
            async with self._pool.acquire() as conn, conn.transaction():
                position = await conn.fetchval(statement, *args)
                if position is not None and sealing.erasing:
                    sealing.destroyed.extend(await crypto.erase(conn, sealing.erasing))
                for m in mail if position is not None else ():
                    await enqueue(conn, **msgspec.structs.asdict(m))
        else:
            position = await self._pool.fetchval(statement, *args)
        if position is None:  # the guard refused: a stream is not at its expected version
            versions = await statements.versions(self._pool, [a.stream_id for a in guarded])
            stale = next(a for a in guarded if versions.get(a.stream_id) != a.expected_version)
            raise VersionConflict(
                stale.stream_id, stale.expected_version, versions.get(stale.stream_id, 0)
            )
        return int(position)

    async def _explain(
        self,
        error: asyncpg.UniqueViolationError,
        appends: Sequence[StreamAppend],
        command: CommandRecord | None,
    ) -> StoreError:
        """Turn a unique violation into the error a caller can act on."""
        constraint = error.constraint_name or ""
        if constraint == "commands_pkey" and command is not None:
            stored = await self.find_command(command.command_id)
            if stored is not None:
                return DuplicateCommand(stored)
        if constraint == "events_stream_id_stream_version_key":
            versions = await statements.versions(self._pool, [a.stream_id for a in appends])
            stale = next(
                (a for a in appends if versions.get(a.stream_id, 0) != a.expected_version),
                appends[0],
            )
            return VersionConflict(
                stale.stream_id, stale.expected_version, versions.get(stale.stream_id, 0)
            )
        return StoreError(f"append refused: {error}")

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
