"""Data keys, one per data subject, and the sealing of every personal field with them.

Both stores hand their appends to `Vault.seal` before writing, and their reads to
`Vault.load`: the keys of every sealed value read go into the process's cache (one round
trip for those not there yet), and the transcoder opens the fields of the events it
decodes, and only those (`cipher.FieldOpener`). `Vault.open` opens whole payloads, for the
few readers of raw payloads (the `events` query). Keys live in a `KeyStore` (the
`data_keys` table, or memory), wrapped by the KEK. A subject's first key is made where
nothing can have made it before (the first event of the subject's own stream) inside the
append's own statement; any other subject's key is made (if missing, idempotently) before
the append that needs it. Either way no event is ever stored sealed under a key that does
not exist.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple, Protocol
from uuid import UUID

import msgspec
from bridgework.domain.personal import Subject
from bridgework.infra.crypto import cipher
from bridgework.infra.crypto.cache import CACHE, DESTROYED, Entry, KeyCache
from bridgework.infra.crypto.cipher import ERASING_EVENT, SEALED_MARK, Need
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from bridgework.infra.crypto.kek import Keks
    from bridgework.services.ports import (
        CommandRecord,
        NewEvent,
        StoredCommand,
        StoredEvent,
        StreamAppend,
    )

_NOTHING = frozenset({b"null", b'""'})
_SUBJECTS = re.compile(rb'\{"s":"([0-9a-f-]{36})"')
"""The subject of each sealed value in a payload."""


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


class Sealing(NamedTuple):
    appends: Sequence[StreamAppend]
    """The appends with their personal fields sealed."""
    fresh: list[KeyRow]
    """New subjects' keys, to insert with the events."""
    erasing: list[UUID]
    """Students whose keys the append destroys, with its events."""
    cached: dict[str, Entry]
    destroyed: list[UUID]
    """Every subject whose key the erasure destroyed (the store fills it in)."""


def _aggregate_id(stream_id: str) -> str:
    """`student-<uuid>` → the uuid, as text (as it is written in payloads)."""
    return stream_id.partition("-")[2]


_Work = list[tuple[int, int, cipher.EventSpec, dict[str, msgspec.Raw], dict[str, Need]]]


def _work(appends: Sequence[StreamAppend]) -> tuple[_Work, list[UUID], set[str]]:
    """The events with personal values to seal (append, event, spec, parts, needs), the
    students erased, and the subjects whose key cannot exist yet: a new stream's own."""
    specs = cipher.specs()
    work: _Work = []
    erasing, fresh = [], set()
    for ai, a in enumerate(appends):
        for ei, e in enumerate(a.events):
            if e.event_type == ERASING_EVENT:
                erasing.append(UUID(_aggregate_id(e.stream_id)))
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
    def __init__(self, keys: KeyStore, keks: Keks, cache: KeyCache = CACHE) -> None:
        self.keys = keys
        self.keks = keks
        self.cache = cache

    # -- writing ----------------------------------------------------------------------------

    async def seal(self, appends: Sequence[StreamAppend]) -> Sealing:
        work, erasing, fresh = _work(appends)
        if not work:
            return Sealing(appends, [], erasing, {}, [])
        wanted: dict[str, Need] = {}
        for *_, needs in work:  # the need that names an owner (the first event's) wins
            wanted |= {n.subject: n for n in needs.values() if n.owner or n.subject not in wanted}
        keys = {s: self.cache.get(s) for s in wanted}
        missing = [wanted[s] for s, k in keys.items() if k is None]
        rows, made = self._new_rows(n for n in missing if n.subject in fresh)
        others = self._new_rows(n for n in missing if n.subject not in fresh)[0]
        found = self._entries(await self.keys.ensure(others)) if others else {}
        keys |= made | found
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
        return Sealing(out, rows, erasing, made | found, [])

    def _new_rows(self, needs: Iterable[Need]) -> tuple[list[KeyRow], dict[str, Entry]]:
        rows, made = [], {}
        for n in needs:
            key = AESGCM.generate_key(bit_length=256)
            subject = UUID(n.subject)
            kek_id, wrapped = self.keks.wrap(subject, key)
            owner = None if n.owner is None else UUID(n.owner)
            rows.append(KeyRow(subject, n.kind, owner, kek_id, wrapped))
            made[n.subject] = Entry(AESGCM(key), n.owner)
        return rows, made

    def committed(self, sealing: Sealing) -> None:
        """Keep the keys an append made or fetched; forget the ones it destroyed."""
        for subject, entry in sealing.cached.items():
            self.cache.put(subject, entry)
        self.cache.forget(map(str, sealing.erasing), map(str, sealing.destroyed))

    # -- reading ----------------------------------------------------------------------------

    async def load(self, events: list[StoredEvent]) -> list[StoredEvent]:
        """Load the keys of every sealed value in `events` into the cache; return them."""
        specs = cipher.specs()
        # One scan of all the payloads that can hold sealed values, not one per event.
        scanned = b"\n".join([e.payload for e in events if e.event_type in specs])
        subjects = {s.decode() for s in set(_SUBJECTS.findall(scanned))} if scanned else ()
        erased = [_aggregate_id(e.stream_id) for e in events if e.event_type == ERASING_EVENT]
        if subjects and (missing := self.cache.missing(subjects)):
            fetched = self._entries(await self.keys.fetch([UUID(s) for s in missing]))
            for s in missing:  # a subject without a row reads as erased
                self.cache.put(s, fetched.get(s, DESTROYED))
        self.cache.forget(erased)  # another process erased them: their keys are gone here too
        return events

    async def open(self, events: list[StoredEvent]) -> list[StoredEvent]:
        """The events with every sealed value opened in their payloads (placeholders where
        the key is destroyed): for readers of raw payloads."""
        await self.load(events)
        specs = cipher.specs()
        opened = list(events)
        for i, e in enumerate(events):
            spec = specs.get(e.event_type)
            if spec is None or SEALED_MARK not in e.payload:
                continue
            parts = spec.split(e.payload)
            sealed = spec.sealed(parts)
            if sealed:
                keys = {v.s: self._key(v.s) for v in sealed.values()}
                payload = spec.open(parts, sealed, keys, e.event_id)
                opened[i] = msgspec.structs.replace(e, payload=payload)
        return opened

    # -- idempotency records --------------------------------------------------------------

    async def seal_command(self, record: CommandRecord) -> CommandRecord:
        """The record with its result's message sealed with the key of the student it names
        (`about`), the command id as associated data."""
        message = (parts := cipher.split(record.result)).get("message")
        if record.about is None or message is None or bytes(message) in _NOTHING:
            return record
        subject = str(record.about)
        if self.cache.get(subject) is None:
            rows = self._new_rows([Need(subject, Subject.STUDENT, None)])[0]
            for s, entry in self._entries(await self.keys.ensure(rows)).items():
                self.cache.put(s, entry)
        aad = b"command:" + record.command_id.encode()
        parts["message"] = cipher.seal_text(self._key(subject), subject, message, aad)
        return msgspec.structs.replace(record, result=cipher.join(parts))

    async def open_command(self, stored: StoredCommand) -> StoredCommand:
        if SEALED_MARK not in stored.result:
            return stored
        parts = cipher.split(stored.result)
        value = cipher.sealed_value(parts["message"])
        if value is None:
            return stored
        if self.cache.missing([value.s]):
            for s, entry in self._entries(await self.keys.fetch([UUID(value.s)])).items():
                self.cache.put(s, entry)
        aad = b"command:" + stored.command_id.encode()
        parts["message"] = cipher.open_text(self._key(value.s), value, aad)
        return msgspec.structs.replace(stored, result=cipher.join(parts))

    def _key(self, subject: str) -> AESGCM | None:
        entry = self.cache.get(subject)
        return None if entry is None else entry.key

    def _entries(self, rows: Iterable[KeyRow]) -> dict[str, Entry]:
        found = {}
        for r in rows:
            owner = None if r.owner is None else str(r.owner)
            if r.wrapped is None or r.kek_id is None:
                found[str(r.subject)] = Entry(None, owner)
            else:
                key = self.keks.unwrap(r.subject, r.kek_id, r.wrapped)
                found[str(r.subject)] = Entry(AESGCM(key), owner)
        return found
