"""The event store port: what services and projections need from storage.

`bridgework.infra.store.PostgresEventStore` is the implementation; tests run it on a
real PostgreSQL.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from uuid import UUID

import msgspec

if TYPE_CHECKING:
    from bridgework.services.decided import Decided


class EventMetadata(msgspec.Struct, frozen=True, kw_only=True, gc=False, omit_defaults=True):
    """Who caused an event, and why: stored beside every event. The fields with defaults
    are left out when empty, so events recorded before them read the same."""

    actor: str
    """`<role>:<subject>`: the role used and the verified identity."""
    correlation_id: UUID
    """Made by the server for the request."""
    causation_id: UUID
    command_id: str
    command: str
    organisations: tuple[UUID, ...] = ()
    """The actor's organisations when it acted."""
    client_correlation_id: str | None = None
    """The `X-Correlation-Id` the client sent, if any: client-supplied, not trusted."""


class NewEvent(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """An event about to be appended; `stream_version` is the version it gives its stream."""

    event_id: UUID
    stream_id: str
    stream_version: int
    event_type: str
    schema_version: int
    payload: bytes
    metadata: EventMetadata


_decode_metadata = msgspec.json.Decoder(EventMetadata).decode


class StoredEvent(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """An event as recorded, with its global `position` and writing transaction `tx_id`."""

    position: int
    tx_id: int
    event_id: UUID
    stream_id: str
    stream_version: int
    event_type: str
    schema_version: int
    payload: bytes
    metadata_json: bytes
    """The `EventMetadata` as stored; most readers (projections) never need it decoded."""
    recorded_at: datetime
    scope: tuple[UUID, ...] = ()
    """The organisations whose staff may read it (`StreamAppend.scope`)."""

    @property
    def metadata(self) -> EventMetadata:
        return _decode_metadata(self.metadata_json)

    @property
    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.tx_id, self.position)


class Checkpoint(NamedTuple):
    """A place in the global order. Readers order by `(tx_id, position)`: see FIELD_NOTES.md."""

    tx_id: int
    position: int


ORIGIN = Checkpoint(0, 0)


class LogFilter(NamedTuple):
    """What else a reader of the log may ask for: who caused an event, the user action it
    belongs to, and when it was recorded (`since` inclusive, `until` exclusive)."""

    actor: str | None = None
    correlation_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


class StreamAppend(msgspec.Struct, frozen=True, kw_only=True):
    """Events for one stream, valid only if the stream is still at `expected_version`.

    `expected_version` 0 means the stream must not exist yet. With no events, the append
    only guards what a command read: the stream must be at exactly `expected_version`.
    """

    stream_id: str
    expected_version: int
    events: Sequence[NewEvent]
    scope: tuple[UUID, ...] = ()
    """The organisations whose staff may read these events (the aggregate's `scope`: its
    school, its partnership's members…), recorded on each so the log is filtered in SQL."""

    def check(self) -> None:
        """Refuse events that do not continue their stream in order (every store does)."""
        first = self.expected_version + 1
        got = [e.stream_version for e in self.events]
        if got != list(range(first, first + len(got))) or any(
            e.stream_id != self.stream_id for e in self.events
        ):
            raise ValueError(f"events for {self.stream_id!r} must continue it in order: {got}")


class CommandRecord(msgspec.Struct, frozen=True, kw_only=True):
    """The idempotency record written in the same transaction as a command's events."""

    command_id: str
    request_hash: str
    result: bytes
    about: UUID | None = None
    """The data subject whose personal data `result`'s message holds: the store seals it."""


class OutgoingMail(msgspec.Struct, frozen=True, kw_only=True):
    """A mail decided by a command: enqueued in the outbox in the same transaction as the
    command's events, so it exists exactly when they do (`infra/mail/`)."""

    dedupe_key: str
    """One per mail meant: a mail whose key was enqueued before is not enqueued again."""
    to: str
    subject: str
    body: str


class StoredCommand(msgspec.Struct, frozen=True, kw_only=True):
    command_id: str
    request_hash: str
    result: bytes
    position: int


class StoredSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """An aggregate's state as of `version` of its stream (`services/snapshots.py`)."""

    stream_id: str
    version: int
    topic: str
    """The aggregate's class, as the eventsourcing library names it."""
    layout: str
    """A hash of the class's code: a snapshot of another layout is ignored."""
    state: bytes


class StoreError(Exception):
    """Base class for event store failures a caller can act on."""


class VersionConflict(StoreError):
    """A stream moved on since it was loaded (or does not exist when it was expected to)."""

    def __init__(self, stream_id: str, expected_version: int, actual_version: int | None) -> None:
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(
            f"stream {stream_id!r} is at version {actual_version}, expected {expected_version}"
        )


class MailRefused(StoreError):
    """The outbox refused a mail (`field`: not one plain address in "to", a subject that
    could carry a header…); nothing was written."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.index = 0
        """Which command of a group append decided the mail."""
        super().__init__(message)


class DuplicateCommand(StoreError):
    """The command id was recorded before (perhaps by a concurrent request)."""

    def __init__(self, stored: StoredCommand) -> None:
        self.stored = stored
        super().__init__(f"command {stored.command_id!r} was already handled")


class EventCodec(Protocol):
    """Turns domain events into `NewEvent`s and stored events back into domain events."""

    def encode(self, event: Any, *, event_id: UUID, metadata: EventMetadata) -> NewEvent: ...

    def decode(self, stored: StoredEvent) -> Any: ...


class EventStore(abc.ABC):
    """Append-only log of events with per-stream versions and one global order."""

    @abc.abstractmethod
    async def append(
        self,
        appends: Sequence[StreamAppend],
        *,
        command: CommandRecord | None = None,
        mail: Sequence[OutgoingMail] = (),
    ) -> int:
        """Atomically append to one or more streams, with the command's record and the mail
        it decided (only with events: a mail is sent because something happened); return
        the highest position written.

        Raises `VersionConflict` if any stream is not at its expected version,
        `DuplicateCommand` if `command.command_id` was recorded before and `MailRefused`
        for a mail the outbox will not send. Nothing is written (and no mail enqueued) in
        any case.
        """

    @abc.abstractmethod
    async def append_group(self, group: Sequence[Decided]) -> list[int]:
        """`append` for several commands in one transaction, each command's events after the
        one's before it (a stream's later appends continue its earlier ones); return each
        command's position: the highest it wrote, or for one that wrote none, the highest
        written before it (the log's head at first). Errors as `append`'s, for the whole
        group; a `MailRefused` names its command's `index`."""

    @abc.abstractmethod
    async def load(self, stream_id: str, *, after_version: int = 0) -> list[StoredEvent]:
        """The events of one stream after `after_version` (all of them by default), in
        version order."""

    async def load_snapshot(self, stream_id: str) -> StoredSnapshot | None:
        """The newest snapshot of a stream; a store that keeps none returns None."""
        del stream_id
        return None

    async def load_latest(self, stream_id: str) -> tuple[StoredSnapshot | None, list[StoredEvent]]:
        """The newest snapshot of a stream and the events after it (all of them without one);
        a store may answer both in one round trip."""
        snapshot = await self.load_snapshot(stream_id)
        after = 0 if snapshot is None else snapshot.version
        return snapshot, await self.load(stream_id, after_version=after)

    async def save_snapshot(self, snapshot: StoredSnapshot) -> None:
        """Keep `snapshot` unless a newer one of the same layout is kept; a store that keeps
        none ignores it."""
        del snapshot

    @abc.abstractmethod
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
        """Events after `after` in the global order, never skipping one that commits later;
        with `scope`, only those recorded for one of its organisations; with `where`, only
        those it matches."""

    async def opened(self, events: list[StoredEvent]) -> list[StoredEvent]:
        """The events with their sealed personal fields opened in the payload, for readers of
        raw payloads (the codec opens them as it decodes); a store that seals none returns
        them as they are."""
        return events

    @abc.abstractmethod
    async def checkpoint_of(self, position: int) -> Checkpoint | None:
        """The checkpoint of the event at `position`, if there is one."""

    @abc.abstractmethod
    async def find_command(self, command_id: str) -> StoredCommand | None:
        """The idempotency record of a handled command."""

    @abc.abstractmethod
    async def versions(self, stream_ids: Sequence[str]) -> dict[str, int]:
        """Each stream's version now; a stream with no events is absent."""

    @abc.abstractmethod
    async def wait_for_new_events(
        self, max_wait: float, *, after: Checkpoint | None = None
    ) -> None:
        """Return when new events may be readable (a NOTIFY arrived) or after `max_wait` seconds.

        With `after` (the caller's checkpoint), return at once if events beyond it are
        already readable, and soon if some are committed but not yet safe to read; this
        closes the gap between a caller's last read and its wait.
        """
