"""Integrations' API keys: `bw_` + 30 random base62 characters + a 6-character CRC32
checksum of them (the shape of GitHub's tokens), so leak scanners can match a key and a
typo is refused without a database lookup. Only the key's SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
import string
import zlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from bridgework.services.identity import ApiKey, Principal, Reason, Unauthenticated

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import asyncpg

PREFIX = "bw_"
BODY_LENGTH = 30
CHECKSUM_LENGTH = 6
KEY_LENGTH = len(PREFIX) + BODY_LENGTH + CHECKSUM_LENGTH
HINT_LENGTH = len(PREFIX) + 4
ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
LAST_USED_EVERY = timedelta(minutes=1)
"""`last_used_at` is written at most this often per key: a busy key is not a write per call."""


class ApiKeyNotFound(LookupError):
    pass


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), CHECKSUM_LENGTH)


def new_key() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return PREFIX + body + _checksum(body)


def well_formed(key: str) -> bool:
    """Prefix, length, alphabet and checksum: what a leak scanner (or a typo) is checked by."""
    if len(key) != KEY_LENGTH or not key.startswith(PREFIX):
        return False
    body, checksum = key[len(PREFIX) : -CHECKSUM_LENGTH], key[-CHECKSUM_LENGTH:]
    return all(c in ALPHABET for c in body) and secrets.compare_digest(checksum, _checksum(body))


def key_hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def _key(row: asyncpg.Record) -> ApiKey:
    types = row["event_types"]
    return ApiKey(
        id=row["id"],
        name=row["name"],
        hint=row["hint"],
        organisations=tuple(row["organisations"]),
        read_only=row["read_only"],
        event_types=None if types is None else tuple(types),
        created_by=row["created_by"],
        created_at=row["created_at"],
        personal_data=row["personal_data"],
        revoked_at=row["revoked_at"],
        last_used_at=row["last_used_at"],
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ApiKeys:
    """Create, list, revoke and verify keys in the `api_keys` table."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        clock: Callable[[], datetime] = _utc_now,
        new_id: Callable[[], UUID] = uuid4,
    ) -> None:
        self.pool = pool
        self.clock = clock
        self.new_id = new_id

    async def create(
        self,
        *,
        name: str,
        organisations: Iterable[UUID],
        created_by: str,
        read_only: bool = False,
        event_types: Iterable[str] | None = None,
        personal_data: bool = False,
    ) -> tuple[ApiKey, str]:
        """A new key and its record; the key is shown this once and never again."""
        if not name.strip():
            raise ValueError("an API key needs a name (what the integration is)")
        key = new_key()
        row = await self.pool.fetchrow(
            "INSERT INTO api_keys (id, name, hint, organisations, read_only, event_types,"
            " created_by, created_at, key_hash, personal_data)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *",
            self.new_id(),
            name.strip(),
            key[:HINT_LENGTH],
            sorted(set(organisations)),
            read_only,
            None if event_types is None else sorted(set(event_types)),
            created_by,
            self.clock(),
            key_hash(key),
            personal_data,
        )
        assert row is not None  # noqa: S101 - INSERT … RETURNING returns the row
        return _key(row), key

    async def get(self, key_id: UUID) -> ApiKey | None:
        row = await self.pool.fetchrow("SELECT * FROM api_keys WHERE id = $1", key_id)
        return None if row is None else _key(row)

    async def list(self) -> list[ApiKey]:
        rows = await self.pool.fetch("SELECT * FROM api_keys ORDER BY created_at, id")
        return [_key(r) for r in rows]

    async def revoke(self, key_id: UUID) -> ApiKey:
        """Revoke a key (again is a no-op: the first revocation's time stays)."""
        row = await self.pool.fetchrow(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING *",
            key_id,
            self.clock(),
        )
        if row is None:
            raise ApiKeyNotFound(f"no API key {key_id}")
        return _key(row)

    async def verify(self, key: str) -> Principal:
        """The integration `key` belongs to, scoped as the key is; `Unauthenticated`
        for a malformed, unknown or revoked key."""
        if not key.startswith(PREFIX) or len(key) != KEY_LENGTH:
            raise Unauthenticated(Reason.MALFORMED, "not a Bridgework API key")
        if not well_formed(key):
            raise Unauthenticated(Reason.CHECKSUM)
        row = await self.pool.fetchrow(
            "SELECT * FROM api_keys WHERE key_hash = $1",
            key_hash(key),
        )
        if row is None:
            raise Unauthenticated(Reason.UNKNOWN_API_KEY)
        found = _key(row)
        if found.revoked_at is not None:
            raise Unauthenticated(Reason.REVOKED)
        now = self.clock()
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_EVERY:
            # The condition again in SQL: of requests racing past the check, one writes.
            await self.pool.execute(
                "UPDATE api_keys SET last_used_at = $2 WHERE id = $1"
                " AND (last_used_at IS NULL OR last_used_at <= $3)",
                found.id,
                now,
                now - LAST_USED_EVERY,
            )
        return found.principal()
