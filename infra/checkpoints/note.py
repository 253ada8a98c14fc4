"""Checkpoints as text: a C2SP tlog-checkpoint body in a C2SP signed note, and the verifier
key in the note `vkey` format (https://c2sp.org/tlog-checkpoint, https://c2sp.org/signed-note).

    <origin>
    <tree size>
    <base64 root hash>
    time <UTC time, RFC 3339>

    — <key name> <base64(4-byte key id || Ed25519 signature of the body)>

The key id is the first 4 bytes of SHA-256(key name || 0x0A || 0x01 || public key); the
vkey is `<key name>+<key id, hex>+<base64(0x01 || public key)>`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
"""The signed-note signature type of Ed25519."""
DASH = "\u2014"
_NAME = re.compile(r"[^\s+]+")
_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")
MAX_NOTE = 100_000


class NoteError(ValueError):
    """A note, checkpoint or key that does not read, or a signature that does not verify."""


@dataclass(frozen=True)
class TreeHead:
    """What a checkpoint says: the log `origin` had `size` leaves with root `root` at `time`."""

    origin: str
    size: int
    root: bytes
    time: datetime

    def body(self) -> str:
        at = self.time.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        root = base64.b64encode(self.root).decode()
        return f"{self.origin}\n{self.size}\n{root}\ntime {at}\n"


def check_name(name: str) -> str:
    """A key name or origin: no spaces and no `+` (the vkey's separator)."""
    if not _NAME.fullmatch(name):
        raise NoteError(f"name {name!r}: must be non-empty, without spaces or '+'")
    return name


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, public: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + _raw(public)).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key, as a vkey line gives it."""

    name: str
    public: Ed25519PublicKey

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public)

    def vkey(self) -> str:
        raw = base64.b64encode(bytes([ED25519]) + _raw(self.public)).decode()
        return f"{self.name}+{self.key_id.hex()}+{raw}"


def parse_vkey(text: str) -> Verifier:
    """The verifier key of a vkey line (`name+hash+base64`); errors say what is wrong."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:  # noqa: PLR2004
        raise NoteError("public key: not a vkey line (<name>+<key id>+<base64 key>)")
    name, hash_hex, raw = parts
    check_name(name)
    try:
        decoded = base64.b64decode(raw, validate=True)
    except binascii.Error:
        raise NoteError("public key: its key is not base64") from None
    if len(decoded) != 33 or decoded[0] != ED25519:  # noqa: PLR2004
        raise NoteError("public key: not an Ed25519 key (type 0x01, 32 bytes)")
    verifier = Verifier(name, Ed25519PublicKey.from_public_bytes(decoded[1:]))
    if verifier.key_id.hex() != hash_hex.lower():
        raise NoteError(
            f"public key: its key id {hash_hex} is not the key's ({verifier.key_id.hex()})"
        )
    return verifier


def sign(head: TreeHead, name: str, private: Ed25519PrivateKey) -> str:
    """The signed note of `head`: its body, a blank line, one signature line."""
    return sign_text(head.body(), name, private)


def sign_text(body: str, name: str, private: Ed25519PrivateKey) -> str:
    """A signed note of any text of whole lines."""
    signature = key_id(name, private.public_key()) + private.sign(body.encode())
    return f"{body}\n{DASH} {name} {base64.b64encode(signature).decode()}\n"


def open_note(note: str, verifier: Verifier) -> TreeHead:
    """The tree head of a checkpoint signed by `verifier`; a `NoteError` naming what is wrong."""
    return parse_body(verified_body(note, verifier))


def verified_body(note: str, verifier: Verifier) -> str:
    """The text of a signed note that `verifier` signed (other signatures are ignored)."""
    if len(note) > MAX_NOTE:
        raise NoteError(f"checkpoint: longer than {MAX_NOTE} characters")
    body, blank, signatures = note.rpartition("\n\n")
    if not blank or not signatures.endswith("\n"):
        raise NoteError("checkpoint: not a signed note (body, blank line, signature lines)")
    body += "\n"
    found = False
    for line in signatures.removesuffix("\n").split("\n"):
        dash, _, rest = line.partition(" ")
        name, _, encoded = rest.partition(" ")
        if dash != DASH or not name or not encoded:
            raise NoteError(f"checkpoint: {line[:80]!r} is not a signature line")
        try:
            signature = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise NoteError(f"checkpoint: the signature of {name} is not base64") from None
        if name != verifier.name or signature[:4] != verifier.key_id:
            continue
        found = True
        try:
            verifier.public.verify(signature[4:], body.encode())
        except InvalidSignature:
            raise NoteError(f"bad signature: the note is not signed by {name}'s key") from None
    if not found:
        raise NoteError(f"bad signature: no signature by {verifier.vkey().rsplit('+', 1)[0]}")
    return body


def parse_body(body: str) -> TreeHead:
    lines = body.removesuffix("\n").split("\n")
    if len(lines) < 3:  # noqa: PLR2004
        raise NoteError("checkpoint: needs an origin, a size and a root hash")
    origin, size, root, *extensions = lines
    if not _SIZE.fullmatch(size):
        raise NoteError(f"checkpoint: size {size[:30]!r} is not a whole number")
    try:
        digest = base64.b64decode(root, validate=True)
    except binascii.Error:
        digest = b""
    if len(digest) != hashlib.sha256().digest_size:
        raise NoteError("checkpoint: the root hash is not base64 of 32 bytes")
    times = [e.removeprefix("time ") for e in extensions if e.startswith("time ")]
    try:
        at = datetime.fromisoformat(times[0]) if times else None
    except ValueError:
        at = None
    if at is None or at.utcoffset() is None:
        raise NoteError("checkpoint: no 'time' line with a UTC time")
    return TreeHead(check_name(origin), int(size), digest, at)
