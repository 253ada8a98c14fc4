"""Data keys, one per data subject, and the sealing of every personal field with them.

Both stores hand their appends to `Vault.seal` before writing and their reads to
`Vault.open`. Keys live in a `KeyStore` (the `data_keys` table, or memory), wrapped by the
KEK; unwrapped ones are kept in a bounded cache, so a catch-up opens fields without a round
trip per subject. A subject's first key is made where nothing can have made it before (the
first event of the subject's own stream) inside the append's own statement; any other
subject's key is made (if missing, idempotently) before the append that needs it. Either
way no event is ever stored sealed under a key that does not exist.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, NamedTuple, Protocol
from uuid import UUID

import msgspec
from bridgework.infra.crypto import cipher
from bridgework.infra.crypto.cipher import ERASING_EVENT, SEALED_MARK, Need
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from bridgework.infra.crypto.kek import Keks
    from bridgework.services.ports import NewEvent, StoredEvent, StreamAppend

DATA_KEYS_CACHED = 20_000
"""Unwrapped data keys kept per process (about 100 bytes each)."""


class KeyRow(NamedTuple):
    """A data key as stored: wrapped by the KEK `kek_id`; both None once destroyed."""

    subject: UUID
    kind: str
    owner: UUID | None
    kek_id: str | None
    wrapped: bytes | None


class KeyStore(Protocol):
    async def fetch(self, subjects: Sequence[UUID]) -> list[KeyRow]:
        """The rows of those subjects that exist."""
        ...

    async def ensure(self, rows: Sequence[KeyRow]) -> list[KeyRow]:
        """Insert the rows whose subject has none; return every subject's row."""
        ...


class _Entry(NamedTuple):
    key: AESGCM | None
    owner: UUID | None


class Sealing(NamedTuple):
    appends: Sequence[StreamAppend]
    """The appends with their personal fields sealed."""
    fresh: list[KeyRow]
    """New subjects' keys, to insert with the events."""
    erasing: list[UUID]
    """Students whose keys the append destroys, with its events."""
    cached: dict[UUID, _Entry]
    destroyed: list[UUID]
    """Every subject whose key the erasure destroyed (the store fills it in)."""


def _aggregate_id(stream_id: str) -> UUID:
    return UUID(stream_id.partition("-")[2])


_Work = list[tuple[int, int, cipher.EventSpec, dict[str, msgspec.Raw], dict[str, Need]]]


def _work(appends: Sequence[StreamAppend]) -> tuple[_Work, list[UUID], set[UUID]]:
    """The events with personal values to seal (append, event, spec, parts, needs), the
    students erased, and the subjects whose key cannot exist yet: a new stream's own."""
    specs = cipher.specs()
    work: _Work = []
    erasing, fresh = [], set()
    for ai, a in enumerate(appends):
        for ei, e in enumerate(a.events):
            if e.event_type == ERASING_EVENT:
                erasing.append(_aggregate_id(e.stream_id))
            spec = specs.get(e.event_type)
            if spec is None:
                continue
            parts = spec.split(e.payload)
            aggregate_id = _aggregate_id(e.stream_id)
            if needs := spec.needs(parts, aggregate_id):
                work.append((ai, ei, spec, parts, needs))
                if a.expected_version == 0 and e.stream_version == 1:
                    fresh |= {n.subject for n in needs.values() if n.subject == aggregate_id}
    return work, erasing, fresh


class Vault:
    def __init__(self, keys: KeyStore, keks: Keks, size: int = DATA_KEYS_CACHED) -> None:
        self.keys = keys
        self.keks = keks
        self.size = size
        self._cache: OrderedDict[UUID, _Entry] = OrderedDict()

    # -- writing ----------------------------------------------------------------------------

    async def seal(self, appends: Sequence[StreamAppend]) -> Sealing:
        work, erasing, fresh = _work(appends)
        if not work:
            return Sealing(appends, [], erasing, {}, [])
        wanted: dict[UUID, Need] = {}
        for *_, needs in work:  # the need that names an owner (the first event's) wins
            wanted |= {n.subject: n for n in needs.values() if n.owner or n.subject not in wanted}
        keys = {s: self._cached(s) for s in wanted}
        missing = [wanted[s] for s, k in keys.items() if k is None]
        rows, made = self._new_rows(n for n in missing if n.subject in fresh)
        others = self._new_rows(n for n in missing if n.subject not in fresh)[0]
        cached = made | (self._entries(await self.keys.ensure(others)) if others else {})
        keys |= cached
        if lost := [s for s, k in keys.items() if k is None]:
            raise RuntimeError(f"no data key could be made for {lost}")
        opened = {s: None if e is None else e.key for s, e in keys.items()}
        sealed = [list(a.events) for a in appends]
        for ai, ei, spec, parts, needs in work:
            new: NewEvent = sealed[ai][ei]
            payload = spec.seal(parts, needs, opened, new.event_id)
            sealed[ai][ei] = msgspec.structs.replace(new, payload=payload)
        out = [
            msgspec.structs.replace(a, events=sealed[i]) if any(w[0] == i for w in work) else a
            for i, a in enumerate(appends)
        ]
        return Sealing(out, rows, erasing, cached, [])

    def _new_rows(self, needs: Iterable[Need]) -> tuple[list[KeyRow], dict[UUID, _Entry]]:
        rows, made = [], {}
        for n in needs:
            key = AESGCM.generate_key(bit_length=256)
            kek_id, wrapped = self.keks.wrap(n.subject, key)
            rows.append(KeyRow(n.subject, n.kind, n.owner, kek_id, wrapped))
            made[n.subject] = _Entry(AESGCM(key), n.owner)
        return rows, made

    def committed(self, sealing: Sealing) -> None:
        """Keep the keys an append made or fetched; forget the ones it destroyed."""
        for subject, entry in sealing.cached.items():
            self._put(subject, entry)
        self.forget(sealing.erasing, sealing.destroyed)

    def forget(self, students: Iterable[UUID], destroyed: Iterable[UUID] = ()) -> None:
        """Mark erased: the students', their owned subjects' and `destroyed` keys."""
        gone = set(students)
        if not gone:
            return
        owned = [s for s, e in self._cache.items() if e.owner in gone]
        for subject in [*gone, *owned, *destroyed]:
            self._put(subject, _Entry(None, None))

    # -- reading ----------------------------------------------------------------------------

    async def open(self, events: list[StoredEvent]) -> list[StoredEvent]:
        specs = cipher.specs()
        work = []
        erased = []
        for i, e in enumerate(events):
            if e.event_type == ERASING_EVENT:
                erased.append(_aggregate_id(e.stream_id))
            spec = specs.get(e.event_type)
            if spec is None or SEALED_MARK not in e.payload:
                continue
            parts = spec.split(e.payload)
            sealed = spec.sealed(parts)
            if sealed:
                work.append((i, spec, parts, sealed))
        if work:
            subjects = {v.s for *_, sealed in work for v in sealed.values()}
            keys = await self._keys(subjects)
            events = list(events)
            for i, spec, parts, sealed in work:
                e = events[i]
                payload = spec.open(parts, sealed, keys, e.event_id)
                events[i] = msgspec.structs.replace(e, payload=payload)
        self.forget(erased)  # another process erased them: its keys are gone for us too
        return events

    async def _keys(self, subjects: Iterable[UUID]) -> dict[UUID, AESGCM | None]:
        found: dict[UUID, AESGCM | None] = {}
        missing = []
        for s in subjects:
            entry = self._cached(s)
            if entry is None:
                missing.append(s)
            else:
                found[s] = entry.key
        if missing:
            fetched = self._entries(await self.keys.fetch(missing))
            for s in missing:  # a subject without a row reads as erased
                entry = fetched.get(s, _Entry(None, None))
                self._put(s, entry)
                found[s] = entry.key
        return found

    # -- the cache --------------------------------------------------------------------------

    def _entries(self, rows: Iterable[KeyRow]) -> dict[UUID, _Entry]:
        found = {}
        for r in rows:
            if r.wrapped is None or r.kek_id is None:
                found[r.subject] = _Entry(None, r.owner)
            else:
                key = self.keks.unwrap(r.subject, r.kek_id, r.wrapped)
                found[r.subject] = _Entry(AESGCM(key), r.owner)
        return found

    def _cached(self, subject: UUID) -> _Entry | None:
        entry = self._cache.get(subject)
        if entry is not None:
            self._cache.move_to_end(subject)
        return entry

    def _put(self, subject: UUID, entry: _Entry) -> None:
        self._cache[subject] = entry
        self._cache.move_to_end(subject)
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
