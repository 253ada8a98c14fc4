"""Personal fields of an event payload, sealed and opened one by one (AES-256-GCM).

A sealed field keeps its place in the payload's JSON as `{"s": subject, "c": nonce +
ciphertext}` (base64): the subject's data key encrypts the field's own JSON, with a fresh
96-bit nonce and the event id and field name as associated data, so a sealed value cannot
be moved to another event or field. A value sealed after its subject's key was destroyed
has no `c`; it reads, as every field whose key is gone, as the field's placeholder. Null,
an empty text and an empty list stay as they are (they say nothing), and a clear value
(written before encryption) is read as it is.

Only the marked fields are touched: the payload is split into raw JSON values
(`msgspec.Raw`, no parsing of the values themselves), the sealed ones replaced, and joined.
"""

from __future__ import annotations

import dataclasses
import functools
import secrets
import typing
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

import msgspec
from bridgework.domain.catalog import EVENT_TYPES
from bridgework.domain.personal import ERASED, PERSONAL, Personal, Subject, placeholder
from bridgework.infra.crypto.kek import NONCE_BYTES, KeyUnavailable
from cryptography.exceptions import InvalidTag

if TYPE_CHECKING:
    from collections.abc import Mapping

    from bridgework.infra.crypto.cache import KeyCache
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ERASING_EVENT = "StudentErased"
"""The event that destroys its student's keys in the transaction that appends it."""

SEALED_MARK = b'{"s":"'

_NOTHING = frozenset({b"null", b'""', b"[]"})
"""Values left as they are: an absent value, an empty text or list says nothing."""
"""How a sealed value starts; a payload without it has nothing to open."""


class Sealed(msgspec.Struct, frozen=True, omit_defaults=True):
    s: str
    """The subject's id."""
    c: bytes = b""
    """Nonce and ciphertext; empty: sealed after the key was destroyed."""


_encode = msgspec.json.Encoder().encode
_split = msgspec.json.Decoder(dict[str, msgspec.Raw]).decode
_sealed = msgspec.json.Decoder(Sealed).decode


class Need(NamedTuple):
    """A data key a payload needs: its subject, kind and owner (whose erasure destroys it),
    ids as text."""

    subject: str
    kind: Subject
    owner: str | None


class FieldSpec(NamedTuple):
    name: str
    whose: Personal
    aad: bytes
    placeholder: msgspec.Raw


class OpeningError(ValueError):
    """A sealed value that does not open with its subject's key: altered, or misplaced."""


@dataclasses.dataclass(frozen=True)
class EventSpec:
    fields: tuple[FieldSpec, ...]

    def split(self, payload: bytes) -> dict[str, msgspec.Raw]:
        return _split(payload)

    def needs(self, parts: dict[str, msgspec.Raw], aggregate_id: str) -> dict[str, Need]:
        """The key each non-null personal field is sealed with."""
        found: dict[str, Need] = {}
        for f in self.fields:
            raw = parts.get(f.name)
            if raw is None or bytes(raw) in _NOTHING:
                continue
            owner = f.whose.owner_field
            found[f.name] = Need(
                _id(parts, f.whose.id_field, aggregate_id),
                f.whose.subject,
                None if owner is None else _id(parts, owner, aggregate_id),
            )
        return found

    def seal(
        self,
        parts: dict[str, msgspec.Raw],
        needs: Mapping[str, Need],
        keys: Mapping[str, AESGCM | None],
        event_id: UUID,
    ) -> bytes:
        for f in self.fields:
            need = needs.get(f.name)
            if need is None:
                continue
            key = keys[need.subject]
            if key is None:  # the subject is erased: nothing of the value is kept
                parts[f.name] = msgspec.Raw(_encode(Sealed(need.subject)))
                continue
            nonce = secrets.token_bytes(NONCE_BYTES)
            body = key.encrypt(nonce, bytes(parts[f.name]), event_id.bytes + f.aad)
            parts[f.name] = msgspec.Raw(_encode(Sealed(need.subject, nonce + body)))
        return _encode(parts)

    def sealed(self, parts: dict[str, msgspec.Raw]) -> dict[str, Sealed]:
        """The sealed values of a stored payload, by field."""
        found = {}
        for f in self.fields:
            raw = parts.get(f.name)
            if raw is not None and bytes(raw)[:1] == b"{":
                found[f.name] = _sealed(raw)
        return found

    def open(
        self,
        parts: dict[str, msgspec.Raw],
        sealed: Mapping[str, Sealed],
        keys: Mapping[str, AESGCM | None],
        event_id: UUID,
    ) -> bytes:
        for f in self.fields:
            value = sealed.get(f.name)
            if value is None:
                continue
            clear = _opened(keys.get(value.s), value, event_id, f)
            parts[f.name] = f.placeholder if clear is None else msgspec.Raw(clear)
        return _encode(parts)


def _opened(key: AESGCM | None, value: Sealed, event_id: UUID, f: FieldSpec) -> bytes | None:
    """The clear JSON of a sealed value; None when its key is destroyed."""
    if key is None or not value.c:
        return None
    try:
        return key.decrypt(value.c[:NONCE_BYTES], value.c[NONCE_BYTES:], event_id.bytes + f.aad)
    except InvalidTag:
        raise OpeningError(
            f"{f.name} of event {event_id} does not open with its subject's key"
        ) from None


class FieldOpener:
    """Opens one personal field as the transcoder decodes its event: from the raw JSON the
    payload holds (sealed, or clear from before encryption) to the field's typed value."""

    def __init__(self, f: FieldSpec, annotation: Any, cache: KeyCache) -> None:
        self.field = f
        self.decode = msgspec.json.Decoder(annotation).decode
        self.placeholder = placeholder(annotation)
        self.cache = cache

    def __call__(self, raw: msgspec.Raw, event_id: UUID) -> Any:
        if memoryview(raw)[0] != _OPEN_BRACE:  # clear, null or empty
            return self.decode(raw)
        return self.opened(_sealed(raw), event_id)

    def opened(self, value: Sealed, event_id: UUID) -> Any:
        entry = self.cache.get(value.s)
        if entry is None:
            raise KeyUnavailable(
                f"the data key of {value.s} was not loaded by the read that returned event "
                f"{event_id}"
            )
        clear = _opened(entry.key, value, event_id, self.field)
        return self.placeholder if clear is None else self.decode(clear)


_OPEN_BRACE = ord("{")


def _id(parts: dict[str, msgspec.Raw], field: str, aggregate_id: str) -> str:
    if field == "originator_id":
        return aggregate_id
    return str(msgspec.json.decode(parts[field], type=UUID))  # checked: it names a key


@functools.cache
def specs() -> dict[str, EventSpec]:
    """Every event type with personal fields → how they are sealed."""
    found = {}
    for name, fields in PERSONAL.items():
        hints: dict[str, Any] = typing.get_type_hints(EVENT_TYPES[name])
        found[name] = EventSpec(
            tuple(
                FieldSpec(
                    field,
                    whose,
                    b":" + field.encode(),
                    msgspec.Raw(_encode(placeholder(hints[field]))),
                )
                for field, whose in fields.items()
            )
        )
    return found


def seal_text(key: AESGCM | None, subject: str, clear: msgspec.Raw, aad: bytes) -> msgspec.Raw:
    """One value sealed outside an event (a command's recorded message)."""
    if key is None:
        return msgspec.Raw(_encode(Sealed(subject)))
    nonce = secrets.token_bytes(NONCE_BYTES)
    return msgspec.Raw(_encode(Sealed(subject, nonce + key.encrypt(nonce, bytes(clear), aad))))


def open_text(key: AESGCM | None, value: Sealed, aad: bytes) -> msgspec.Raw:
    """The clear JSON of a value `seal_text` sealed; "erased" once its key is destroyed."""
    if key is None or not value.c:
        return msgspec.Raw(_encode(ERASED))
    try:
        return msgspec.Raw(key.decrypt(value.c[:NONCE_BYTES], value.c[NONCE_BYTES:], aad))
    except InvalidTag:
        raise OpeningError("a recorded command's message does not open with its key") from None


def split(payload: bytes) -> dict[str, msgspec.Raw]:
    return _split(payload)


def join(parts: dict[str, msgspec.Raw]) -> bytes:
    return _encode(parts)


def sealed_value(raw: msgspec.Raw) -> Sealed | None:
    return _sealed(raw) if memoryview(raw)[0] == _OPEN_BRACE else None
