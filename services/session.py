"""A command's view of the aggregates it loads or creates, and the versions they were at.

A stream a session loads first is locked for this process (`services/streams.py`) until
`close()`; its aggregate comes from the process's cache, else from a snapshot and the events
after it. When another command holds that lock, the load raises `Join` instead of waiting: the
command queues on the stream and the holder decides it in its own group (`services/group.py`).

A cached aggregate is trusted without asking the store (no round trip): it is as this
process last committed it, and only another process can have moved its stream on since. So
what was decided on it is checked where it counts: every stream the command read from the
cache is guarded at the version it read, by the append (a stream it only read, by an append
of no events), and a refusal decided on it is confirmed (`confirms`) before it is given. A
stream found moved on is a version conflict: the command is decided again, from the store.

The holder decides each queued command through a `view()`: a session of that command's
actor over the holder's aggregates, so each decides against the state its predecessors left,
its reach is checked on what it touched, and its events are collected as its own.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, TypeVar

from bridgework.domain.base import BridgeworkAggregate
from bridgework.services import snapshots
from bridgework.services.authority import Reach
from bridgework.services.errors import NotFound
from bridgework.services.ports import EventMetadata, OutgoingMail, StreamAppend
from bridgework.services.streams import Cached

if TYPE_CHECKING:
    import asyncio
    from datetime import datetime
    from uuid import UUID

    from bridgework.services.context import Actor
    from bridgework.services.unit_of_work import Deps

A = TypeVar("A", bound=BridgeworkAggregate)

log = logging.getLogger(__name__)


class Join(Exception):
    """The stream a command loads first is held by another command of this process."""

    def __init__(self, stream_id: str) -> None:
        self.stream_id = stream_id
        super().__init__(stream_id)


class _Held:
    """What one group's sessions share: the aggregates, their versions, the locks."""

    def __init__(self) -> None:
        self.loaded: dict[str, tuple[BridgeworkAggregate, int]] = {}
        """Stream → aggregate and the version its next events continue."""
        self.created: set[str] = set()
        self.owned: dict[str, int] = {}
        """Streams whose lock the group holds → the version of their newest snapshot."""
        self.tainted = False
        """A command failed after changing an aggregate: none may be kept."""
        self.trusted: dict[str, int] = {}
        """Streams taken from the cache unchecked → the version they were taken at."""


class Session:
    """The aggregates one attempt loaded or created (see the module's docstring)."""

    def __init__(self, deps: Deps, now: datetime, actor: Actor, *, held: str | None = None) -> None:
        self._deps = deps
        self.now = now
        self._reach = Reach(actor)
        self._held = _Held()
        self._mine: dict[str, BridgeworkAggregate] = {}
        """What this command got or created: its reach is checked on these."""
        self.mail: list[OutgoingMail] = []
        """Mail this command decided: enqueued with its events, or not at all."""
        self._closing: asyncio.Future[Any] | None = None
        self.joins = held is None
        """Whether a held first stream makes this command queue (`Join`) rather than wait."""
        if held is not None:  # handed over by the previous holder
            deps.streams.locks.claim(held)
            self._held.owned[held] = 0

    def view(self, actor: Actor, now: datetime) -> Session:
        """A session for another command over this one's aggregates and locks."""
        other = Session(self._deps, now, actor)
        other._held = self._held
        return other

    async def get(self, cls: type[A], aggregate_id: UUID, field: str) -> A:
        """Load an aggregate, or raise `NotFound` naming the input `field` that referred to it."""
        stream_id = cls.stream_id(aggregate_id)
        found = self._mine.get(stream_id)
        if found is None:
            if stream_id in self._held.loaded:
                found = self._held.loaded[stream_id][0]
            else:
                loaded = await self._load(stream_id)
                if loaded is None:
                    raise NotFound(cls.__name__.lower(), aggregate_id, field)
                found = loaded
                self._held.loaded[stream_id] = (found, found.version)
            self._mine[stream_id] = found
            self._reach.loaded(found)
        if not isinstance(found, cls):
            raise NotFound(cls.__name__.lower(), aggregate_id, field)
        return found

    async def _load(self, stream_id: str) -> BridgeworkAggregate | None:
        memory, held = self._deps.streams, self._held
        owned = stream_id in held.owned
        if not owned:
            first = not held.owned
            if first and self.joins and memory.locks.busy(stream_id):
                raise Join(stream_id)
            owned = await memory.locks.acquire(stream_id, wait=first)
        if owned:
            held.owned.setdefault(stream_id, 0)  # from here on, `close()` releases it
        cached = memory.cache.take(stream_id) if owned else None
        if cached is not None:  # trusted: guarded at the append (see the module's docstring)
            held.owned[stream_id] = cached.snapshot_version
            held.trusted[stream_id] = cached.aggregate.version
            return cached.aggregate
        snapshot, tail = await self._deps.store.load_latest(stream_id)
        aggregate = None if snapshot is None else snapshots.restore(snapshot)
        if owned:
            held.owned[stream_id] = 0 if aggregate is None else aggregate.version
        if snapshot is not None and aggregate is None:  # of another layout: replay it all
            tail = await self._deps.store.load(stream_id)
        for stored in tail:
            aggregate = self._deps.codec.decode(stored).mutate(aggregate)
        return aggregate

    def add(self, aggregate: BridgeworkAggregate) -> None:
        stream_id = type(aggregate).stream_id(aggregate.id)
        self._held.loaded[stream_id] = (aggregate, 0)
        self._held.created.add(stream_id)
        self._mine[stream_id] = aggregate

    def changed(self) -> bool:
        """Whether any aggregate holds events not yet collected by `appends`."""
        return any(a.pending_events for a, _ in self._held.loaded.values())

    def taint(self) -> None:
        self._held.tainted = True

    def appends(self, metadata: EventMetadata) -> list[StreamAppend]:
        """What this command recorded, once its actor is found to reach every record it
        touched (`authority.refuse_out_of_scope`)."""
        self._reach.refuse_out_of_scope([(a, bool(a.pending_events)) for a in self._mine.values()])
        result = []
        for stream_id, (aggregate, version) in self._held.loaded.items():
            pending = aggregate.collect_events()
            if not pending and stream_id in self._held.trusted:  # read: guard what it read
                result.append(
                    StreamAppend(stream_id=stream_id, expected_version=version, events=[])
                )
            if pending:
                events = [
                    self._deps.codec.encode(e, event_id=self._deps.new_id(), metadata=metadata)
                    for e in pending
                ]
                result.append(
                    StreamAppend(
                        stream_id=stream_id,
                        expected_version=version,
                        events=events,
                        scope=aggregate.scope,
                    )
                )
                self._held.loaded[stream_id] = (aggregate, aggregate.version)
        return result

    async def confirms(self) -> bool:
        """Whether every stream taken from the cache is still at the version it was taken at,
        so that a refusal decided on them holds."""
        trusted = self._held.trusted
        if not trusted:
            return True
        now = await self._deps.store.versions(list(trusted))
        return all(now.get(s) == v for s, v in trusted.items())

    def owned(self) -> list[str]:
        """The streams whose lock this session's group holds."""
        return list(self._held.owned)

    async def committed(self) -> None:
        """Keep what this session committed: its locked and new aggregates go to the cache,
        and a long stream's aggregate to a snapshot."""
        held, cache = self._held, self._deps.streams.cache
        if held.tainted:
            return
        for stream_id, (aggregate, _) in held.loaded.items():
            if stream_id in held.created or stream_id in held.owned:
                snapshot_version = held.owned.get(stream_id, 0)
                if aggregate.version - snapshot_version >= snapshots.SNAPSHOT_EVERY:
                    snapshot_version = await self._snapshot(stream_id, aggregate, snapshot_version)
                cache.put(stream_id, Cached(aggregate, snapshot_version))

    async def _snapshot(self, stream_id: str, aggregate: BridgeworkAggregate, known: int) -> int:
        try:
            await self._deps.store.save_snapshot(snapshots.take(stream_id, aggregate))
        except Exception:  # the command has committed: a lost snapshot only costs a replay
            log.warning("could not store a snapshot of %s", stream_id, exc_info=True)
            return known
        return aggregate.version

    def close_after(self, commit: asyncio.Future[Any]) -> None:
        """Keep the locks until `commit` (which goes on without our caller) ends."""
        self._closing = commit

    def close(self) -> None:
        """Release this session's stream locks (handing each to the next command queued on
        it); aggregates it did not put back are dropped."""
        if self._closing is not None and not self._closing.done():
            self._closing.add_done_callback(lambda _: self.close())
            self._closing = None
            return
        for stream_id in self._held.owned:
            self._deps.streams.locks.release(stream_id)
        self._held.owned.clear()
