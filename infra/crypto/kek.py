"""The key-encryption keys (KEKs) that wrap every data key, and where they come from.

A KEK is 32 random bytes (AES-256-GCM); its id is a hash of it, so two different keys can
never share an id. The current KEK wraps new data keys; retired ones only unwrap, until
`bridgework keys rewrap` has re-wrapped every data key under the current one.

Configured: `BRIDGEWORK_KEK` (the current key, base64) and `BRIDGEWORK_KEK_RETIRED` (older
ones, comma-separated, still readable). Not configured: a key file `data_dir/kek.json`
(mode 0600), made once on first start like the signing keys; `bridgework keys rotate`
adds a new current key to it and re-wraps.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridgework.infra.env import SettingsError
from bridgework.infra.keyfiles import link_once, private_copy
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path
    from uuid import UUID

KEY_BYTES = 32
NONCE_BYTES = 12
KEY_FILE = "kek.json"


class KeyUnavailable(Exception):
    """A data key is wrapped by a KEK this process was not given."""


@dataclass(frozen=True)
class Kek:
    key: bytes

    @property
    def id(self) -> str:
        return "kek-" + hashlib.sha256(b"bridgework-kek:" + self.key).hexdigest()[:16]

    @classmethod
    def parse(cls, raw: str, variable: str) -> Kek:
        try:
            key = base64.b64decode(raw.strip(), altchars=b"-_", validate=False)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            raise SettingsError(f"{variable} must be {KEY_BYTES} random bytes in base64")
        return cls(key)

    def encoded(self) -> str:
        return base64.b64encode(self.key).decode()


def new_kek() -> Kek:
    return Kek(secrets.token_bytes(KEY_BYTES))


class Keks:
    """The current KEK and every KEK still readable, by id."""

    def __init__(self, current: Kek, retired: Sequence[Kek] = ()) -> None:
        self.current = current
        self.by_id = {k.id: k for k in (*retired, current)}
        self._ciphers = {k.id: AESGCM(k.key) for k in self.by_id.values()}

    def wrap(self, subject: UUID, data_key: bytes) -> tuple[str, bytes]:
        """(kek id, nonce + ciphertext) of a data key, bound to its subject."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._ciphers[self.current.id].encrypt(nonce, data_key, subject.bytes)
        return self.current.id, nonce + sealed

    def unwrap(self, subject: UUID, kek_id: str, wrapped: bytes) -> bytes:
        kek = self._ciphers.get(kek_id)
        if kek is None:
            raise KeyUnavailable(
                f"the data key of {subject} is wrapped by {kek_id}, which is not configured "
                "(BRIDGEWORK_KEK, BRIDGEWORK_KEK_RETIRED or the key file)"
            )
        return kek.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], subject.bytes)


_PROCESS_KEKS: list[Keks] = []


def process_keks() -> Keks:
    """A KEK made for this process: for stores made without one (tests, benchmarks);
    `open_runtime` always passes the configured KEKs."""
    if not _PROCESS_KEKS:
        _PROCESS_KEKS.append(Keks(new_kek()))
    return _PROCESS_KEKS[0]


def keks_from_env(env: Mapping[str, str]) -> Keks | None:
    raw = env.get("BRIDGEWORK_KEK", "").strip()
    if not raw:
        if env.get("BRIDGEWORK_KEK_RETIRED", "").strip():
            raise SettingsError("BRIDGEWORK_KEK_RETIRED is set without BRIDGEWORK_KEK")
        return None
    retired = [
        Kek.parse(r, "BRIDGEWORK_KEK_RETIRED")
        for r in env.get("BRIDGEWORK_KEK_RETIRED", "").split(",")
        if r.strip()
    ]
    return Keks(Kek.parse(raw, "BRIDGEWORK_KEK"), retired)


# -- the key file of the embedded default ---------------------------------------------------


def _read(path: Path) -> list[Kek]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Kek.parse(k["key"], str(path)) for k in data["keys"]]


def _written(path: Path, keys: Sequence[Kek]) -> Path:
    now = time.time()
    return private_copy(
        path, json.dumps({"keys": [{"key": k.encoded(), "id": k.id, "at": now} for k in keys]})
    )


def keks_from_file(path: Path) -> Keks:
    """The file's KEKs (the last is current), made with one new KEK if it is missing. Linked
    into place, so of two processes starting together one makes it and both read it."""
    if not path.exists():
        link_once(_written(path, [new_kek()]), path)
    *retired, current = _read(path)
    return Keks(current, retired)


def rotate_file(path: Path) -> Keks:
    """Add a new current KEK to the file; the old ones stay, to unwrap, until pruned."""
    keks_from_file(path)
    with path.with_name(f".{path.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _written(path, [*_read(path), new_kek()]).replace(path)
    return keks_from_file(path)


def prune_file(path: Path, keep: frozenset[str]) -> None:
    """Drop the retired KEKs no data key is wrapped by any more."""
    with path.with_name(f".{path.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        *retired, current = _read(path)
        _written(path, [*(k for k in retired if k.id in keep), current]).replace(path)
