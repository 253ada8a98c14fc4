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
from bridgework.domain.personal import PERSONAL, Personal, Subject, placeholder
from bridgework.infra.crypto.kek import NONCE_BYTES
from cryptography.exceptions import InvalidTag

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ERASING_EVENT = "StudentErased"
"""The event that destroys its student's keys in the transaction that appends it."""

SEALED_MARK = b'{"s":"'

_NOTHING = frozenset({b"null", b'""', b"[]"})
"""Values left as they are: an absent value, an empty text or list says nothing."""
"""How a sealed value starts; a payload without it has nothing to open."""


class Sealed(msgspec.Struct, frozen=True, omit_defaults=True):
    s: UUID
    c: bytes = b""


_encode = msgspec.json.Encoder().encode
_split = msgspec.json.Decoder(dict[str, msgspec.Raw]).decode
_sealed = msgspec.json.Decoder(Sealed).decode


class Need(NamedTuple):
    """A data key a payload needs: its subject, kind and owner (whose erasure destroys it)."""

    subject: UUID
    kind: Subject
    owner: UUID | None


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

    def needs(self, parts: dict[str, msgspec.Raw], aggregate_id: UUID) -> dict[str, Need]:
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
        keys: Mapping[UUID, AESGCM | None],
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
        keys: Mapping[UUID, AESGCM | None],
        event_id: UUID,
    ) -> bytes:
        for f in self.fields:
            value = sealed.get(f.name)
            if value is None:
                continue
            key = keys.get(value.s)
            if key is None or not value.c:
                parts[f.name] = f.placeholder
                continue
            try:
                clear = key.decrypt(
                    value.c[:NONCE_BYTES], value.c[NONCE_BYTES:], event_id.bytes + f.aad
                )
            except InvalidTag:
                raise OpeningError(
                    f"{f.name} of event {event_id} does not open with its subject's key"
                ) from None
            parts[f.name] = msgspec.Raw(clear)
        return _encode(parts)


def _id(parts: dict[str, msgspec.Raw], field: str, aggregate_id: UUID) -> UUID:
    if field == "originator_id":
        return aggregate_id
    return UUID(msgspec.json.decode(parts[field], type=str))


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
