"""The event store in memory, for tests of services that need no PostgreSQL.

It keeps the contract of `PostgresEventStore` (`tests/contract/`): expected versions per
stream, several streams appended all or nothing, one global position, idempotency records,
`(tx_id, position)` checkpoints and wake-ups without polling. Each append is one
"transaction" with the next tx id, and nothing here is ever half-committed, so every event is
readable as soon as `append` returns.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import msgspec
from bridgework.domain.personal import ERASED
from bridgework.infra import appending, crypto
from bridgework.services.decided import Decided, first_appends
from bridgework.services.hours import SUPERVISOR_MAIL
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
    StoreError,
    StreamAppend,
    VersionConflict,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from uuid import UUID

_encode = msgspec.json.Encoder().encode


async def _round_trip() -> None:
    """Let other tasks run, as a database round trip would: overlapping requests interleave
    between their reads and their appends here too, not only on PostgreSQL."""
    await asyncio.sleep(0)


class MemoryEventStore(EventStore):
    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        keks: crypto.Keks | None = None,
    ) -> None:
        self._clock = clock
        self.keys = crypto.MemoryKeys()
        self.vault = crypto.Vault(self.keys, keks or crypto.process_keks())
        self._log: list[StoredEvent] = []
        """Every event in the global order; positions and tx ids both only grow."""
        self._checkpoints: list[Checkpoint] = []
        self._streams: dict[str, list[StoredEvent]] = {}
        self._event_ids: set[UUID] = set()
        self._commands: dict[str, StoredCommand] = {}
        self.mail: list[OutgoingMail] = []
        """The outbox: mail appended with events, one per dedupe key, in order."""
        self._tx_id = 0
        self._appended = asyncio.Event()
        """Set (and replaced) by every append that wrote events: wakes every waiter."""

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
        await _round_trip()
        first = first_appends(group)
        sealing = await self.vault.seal([a for d in group for a in d.appends])
        records = [d.command and await self.vault.seal_command(d.command) for d in group]
        events = [e for a in sealing.appends for e in a.events]
        self._refuse_stale(first)
        if events:
            self._refuse_reused(events, sealing)
        for record in records:
            if record is not None and (recorded := self._commands.get(record.command_id)):
                raise DuplicateCommand(await self.vault.open_command(recorded))
        appending.records_of(group, records, sealing.appends)
        # No await from the checks to here: all or nothing, and atomic to other tasks.
        if events:
            self._tx_id += 1
        sealed = iter(sealing.appends)
        positions = []
        for d, record in zip(group, records, strict=True):
            for _ in d.appends:
                self._keep(next(sealed))
            if record is not None:
                self._record(record, len(self._log))  # with no events: at the head, as on PG
            positions.append(len(self._log) if events or record is not None else 0)
        if not events:
            return positions
        self._keys_committed(sealing)
        known = {m.dedupe_key for m in self.mail}
        self.mail += [m for d in group for m in d.mail if m.dedupe_key not in known]
        self._appended.set()
        self._appended = asyncio.Event()
        return positions

    def _keep(self, append: StreamAppend) -> None:
        for e in append.events:
            stored = StoredEvent(
                position=len(self._log) + 1,
                tx_id=self._tx_id,
                event_id=e.event_id,
                stream_id=e.stream_id,
                stream_version=e.stream_version,
                event_type=e.event_type,
                schema_version=e.schema_version,
                payload=e.payload,
                metadata_json=_encode(e.metadata),
                recorded_at=self._clock(),
                scope=append.scope,
            )
            self._log.append(stored)
            self._checkpoints.append(stored.checkpoint)
            self._streams.setdefault(e.stream_id, []).append(stored)
            self._event_ids.add(e.event_id)

    def _refuse_reused(self, events: Sequence[NewEvent], sealing: crypto.Sealing) -> None:
        """As the unique indexes of the events and of the data keys do on PostgreSQL."""
        ids = {e.event_id for e in events}
        if len(ids) < len(events) or not ids.isdisjoint(self._event_ids):
            raise StoreError("append refused: an event id was used before")
        if any(k.subject in self.keys.rows for k in sealing.fresh):
            raise StoreError("append refused: a data key exists for a new subject")

    def _keys_committed(self, sealing: crypto.Sealing) -> None:
        """New subjects' keys stored; an erasure's destroyed, and the outbox scrubbed as
        `crypto.erase` does it (an erased entry's mail keeps no address)."""
        self.keys.insert(sealing.fresh)
        if sealing.erasing:
            sealing.destroyed.extend(self.keys.erase(sealing.erasing))
        self.vault.committed(sealing)
        keys = tuple(f"{SUPERVISOR_MAIL}{s}." for s in sealing.destroyed)
        if not keys:
            return
        self.mail = [
            OutgoingMail(dedupe_key=m.dedupe_key, to=ERASED, subject=ERASED, body="")
            if m.dedupe_key.startswith(keys)
            else m
            for m in self.mail
        ]

    def _version(self, stream_id: str) -> int:
        stream = self._streams.get(stream_id)
        return stream[-1].stream_version if stream else 0

    def _refuse_stale(self, appends: Sequence[StreamAppend]) -> None:
        """As the PostgreSQL store's guard: streams that must exist are checked first, each
        at exactly its expected version (one with no events of its own too: it was read)."""
        ordered = sorted(appends, key=lambda a: a.expected_version == 0)
        for a in ordered:
            if (actual := self._version(a.stream_id)) != a.expected_version:
                raise VersionConflict(a.stream_id, a.expected_version, actual)

    def _record(self, command: CommandRecord, position: int) -> None:
        self._commands[command.command_id] = StoredCommand(
            command_id=command.command_id,
            request_hash=command.request_hash,
            result=command.result,
            position=position,
        )

    # -- reading ------------------------------------------------------------------------

    async def load(self, stream_id: str, *, after_version: int = 0) -> list[StoredEvent]:
        """Every event of one stream after `after_version` (all of them by default)."""
        await _round_trip()
        return await self.vault.load(self._streams.get(stream_id, [])[after_version:])

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
        await _round_trip()
        start = bisect.bisect_right(self._checkpoints, after)
        wanted = None if types is None else set(types)
        found: list[StoredEvent] = []
        for e in self._log[start:]:
            if len(found) >= limit:
                break
            if (
                (wanted is None or e.event_type in wanted)
                and (stream_id is None or e.stream_id == stream_id)
                and (scope is None or not scope.isdisjoint(e.scope))
                and (where is None or matches(e, where))
            ):
                found.append(e)
        return await self.vault.load(found)

    async def opened(self, events: list[StoredEvent]) -> list[StoredEvent]:
        return await self.vault.open(events)

    async def checkpoint_of(self, position: int) -> Checkpoint | None:
        if 0 < position <= len(self._log):
            return self._checkpoints[position - 1]
        return None

    async def head(self) -> int:
        """The highest position written so far (0 for an empty log), as on PostgreSQL."""
        await _round_trip()
        return len(self._log)

    async def versions(self, stream_ids: Sequence[str]) -> dict[str, int]:
        await _round_trip()
        return {s: v for s in stream_ids if (v := self._version(s))}

    async def find_command(self, command_id: str) -> StoredCommand | None:
        await _round_trip()
        found = self._commands.get(command_id)
        return None if found is None else await self.vault.open_command(found)

    # -- waking readers -----------------------------------------------------------------

    async def wait_for_new_events(
        self, max_wait: float, *, after: Checkpoint | None = None
    ) -> None:
        appended = self._appended  # taken first: an append from here on ends the wait
        if after is not None and self._checkpoints and self._checkpoints[-1] > after:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(appended.wait(), max_wait)


def matches(e: StoredEvent, where: LogFilter) -> bool:
    """Whether `e` is one `where` asks for, as the PostgreSQL store's SQL decides."""
    m = e.metadata
    return (
        (where.actor is None or m.actor == where.actor)
        and (where.correlation_id is None or m.correlation_id == where.correlation_id)
        and (where.since is None or e.recorded_at >= where.since)
        and (where.until is None or e.recorded_at < where.until)
    )
