"""Bridgework as its own token issuer: an ES256 signing key kept in the data folder.

The key file (`signing_keys.json`, mode 0600, made on first use like the link key) holds the
active private key and the keys rotated out of use. A rotated key signs nothing more but
stays in the published JWKS for `max_token_seconds`, so every token it signed still
verifies until it expires. Each key's id is its RFC 7638 thumbprint.
"""

from __future__ import annotations

import fcntl
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from bridgework.infra.auth.claims import ClaimMapping
from bridgework.infra.keyfiles import link_once, private_copy
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

if TYPE_CHECKING:
    from datetime import timedelta
    from pathlib import Path

    from bridgework.infra.settings import Settings
    from bridgework.services.identity import Principal

ALGORITHM = "ES256"
KEY_FILE = "signing_keys.json"


@dataclass(frozen=True)
class StoredKey:
    jwk: dict[str, Any]
    """The private key as a JWK, with `kid`, `alg` and `use`."""
    created_at: float
    retired_at: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {"jwk": self.jwk, "created_at": self.created_at, "retired_at": self.retired_at}


def new_key(now: float) -> StoredKey:
    key = ECKey.generate_key("P-256", parameters={"alg": ALGORITHM, "use": "sig"}, auto_kid=True)
    return StoredKey(jwk=dict(key.as_dict(private=True)), created_at=now)


def read_keys(path: Path) -> list[StoredKey]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [StoredKey(k["jwk"], k["created_at"], k.get("retired_at")) for k in data["keys"]]


def _written(path: Path, keys: list[StoredKey]) -> Path:
    """`keys` in a new 0600 file beside `path`, to be moved or linked into place whole."""
    return private_copy(path, json.dumps({"keys": [k.as_json() for k in keys]}, indent=2))


def write_keys(path: Path, keys: list[StoredKey]) -> None:
    """Replace the file whole: a reader sees the old keys or the new, never half."""
    _written(path, keys).replace(path)


def ensure_keys(path: Path, now: float) -> None:
    """Make the key file with one key unless it exists. Linked into place, so of two
    processes starting together one makes it, the other reads it, and neither sees it half
    written."""
    if not path.exists():
        link_once(_written(path, [new_key(now)]), path)


def rotate_keys(path: Path, keep_seconds: float, now: float) -> str:
    """Retire the active key, make a new one, drop keys retired over `keep_seconds` ago;
    return the new key's id."""
    ensure_keys(path, now)
    # Two rotations at once must not lose a key: read, change and write under a lock.
    with path.with_name(f".{path.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        kept = [
            k if k.retired_at is not None else StoredKey(k.jwk, k.created_at, now)
            for k in read_keys(path)
            if k.retired_at is None or now - k.retired_at < keep_seconds
        ]
        fresh = new_key(now)
        write_keys(path, [*kept, fresh])
    return str(fresh.jwk["kid"])


class LocalIssuer:
    """Signs tokens with the active key and publishes the public keys still in force. The
    file is read again whenever it changed, so `bridgework token --rotate-key` reaches a
    running server without a restart."""

    def __init__(self, settings: Settings, clock: Any = time.time) -> None:
        self.path = settings.data_dir / KEY_FILE
        self.issuer = settings.auth.local_issuer
        self.audience = settings.auth.audience
        self.max_token_seconds = settings.auth.max_token_seconds
        self.mapping = ClaimMapping.from_settings(settings.auth)
        self.clock = clock
        self._loaded: tuple[tuple[int, int], list[StoredKey]] | None = None

    def _keys(self) -> list[StoredKey]:
        ensure_keys(self.path, self.clock())
        stat = self.path.stat()
        changed = (stat.st_mtime_ns, stat.st_ino)
        if self._loaded is None or self._loaded[0] != changed:
            self._loaded = (changed, read_keys(self.path))
        return self._loaded[1]

    def signing_key(self) -> ECKey:
        active = [k for k in self._keys() if k.retired_at is None]
        return ECKey.import_key(active[-1].jwk)

    def published(self) -> KeySet:
        """The public halves of the active key and of every retired key whose tokens may
        still be unexpired."""
        now = self.clock()
        return KeySet(
            [
                ECKey.import_key(_public(k.jwk))
                for k in self._keys()
                if k.retired_at is None or now - k.retired_at < self.max_token_seconds
            ]
        )

    def jwks(self) -> dict[str, Any]:
        return dict(self.published().as_dict())

    def rotate(self) -> str:
        return rotate_keys(self.path, self.max_token_seconds, self.clock())

    def issue(self, principal: Principal, expires: timedelta) -> str:
        """A signed token for `principal`, valid from now for `expires`."""
        seconds = int(expires.total_seconds())
        if not 0 < seconds <= self.max_token_seconds:
            raise ValueError(
                f"a token lasts from 1 second to {self.max_token_seconds} seconds, not {seconds}"
            )
        now = int(self.clock())
        claims = self.mapping.claims(principal) | {
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + seconds,
            "jti": uuid4().hex,
        }
        key = self.signing_key()
        return jwt.encode({"alg": ALGORITHM, "kid": key.kid}, claims, key, [ALGORITHM])


def openid_configuration(issuer: str, base_url: str) -> dict[str, Any]:
    """The discovery document of the local issuer (only what a verifier needs)."""
    return {
        "issuer": issuer,
        "jwks_uri": f"{base_url.rstrip('/')}/.well-known/jwks.json",
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
    }


def _public(jwk: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in jwk.items() if k != "d"}
