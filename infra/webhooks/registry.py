"""Endpoints, their secrets and their messages in PostgreSQL (migration 0012).

A secret is `whsec_` + the base64 of 32 random bytes (Standard Webhooks' form); it is shown
once and kept wrapped by the key-encryption key (the row's id as associated data), since
signing needs it back."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from bridgework.infra.webhooks.fanout import HORIZON
from bridgework.infra.webhooks.guard import resolve
from bridgework.services.endpoints import (
    Attempt,
    DeliveryMode,
    Endpoint,
    Message,
    MessageStatus,
)

if TYPE_CHECKING:
    import asyncpg
    from bridgework.infra.crypto.kek import Keks

    Connection = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy
    from bridgework.infra.webhooks.settings import WebhookSettings

PREFIX = "whsec_"
SECRET_BYTES = 32

_ENDPOINTS = """
SELECT e.*, (SELECT count(*) FROM webhook_secrets s WHERE s.endpoint_id = e.id
             AND (s.expires_at IS NULL OR s.expires_at > now())) AS secrets
FROM webhook_endpoints e
"""


def new_secret() -> tuple[str, bytes]:
    raw = secrets.token_bytes(SECRET_BYTES)
    return PREFIX + base64.b64encode(raw).decode(), raw


def _endpoint(row: asyncpg.Record) -> Endpoint:
    types, organisations = row["event_types"], row["organisations"]
    return Endpoint(
        id=row["id"],
        url=row["url"],
        event_types=None if types is None else tuple(types),
        mode=DeliveryMode(row["mode"]),
        organisations=None if organisations is None else tuple(organisations),
        personal_data=row["personal_data"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        disabled_at=row["disabled_at"],
        disabled_reason=row["disabled_reason"],
        failing_since=row["failing_since"],
        secrets=row["secrets"],
    )


class PostgresWebhooks:
    """The `WebhookRegistry` port on PostgreSQL."""

    def __init__(self, pool: asyncpg.Pool, keks: Keks, settings: WebhookSettings) -> None:
        self.pool = pool
        self.keks = keks
        self.settings = settings

    async def _add_secret(self, conn: Connection, endpoint_id: UUID) -> str:
        shown, raw = new_secret()
        secret_id = uuid4()
        kek_id, wrapped = self.keks.wrap(secret_id, raw)
        await conn.execute(
            "INSERT INTO webhook_secrets (id, endpoint_id, kek_id, wrapped, created_at)"
            " VALUES ($1, $2, $3, $4, now())",
            secret_id,
            endpoint_id,
            kek_id,
            wrapped,
        )
        return shown

    def unwrap(self, secret_id: UUID, kek_id: str, wrapped: bytes) -> bytes:
        return self.keks.unwrap(secret_id, kek_id, wrapped)

    async def register(
        self,
        *,
        url: str,
        event_types: tuple[str, ...] | None,
        mode: DeliveryMode,
        organisations: tuple[UUID, ...] | None,
        personal_data: bool,
        created_by: str,
    ) -> tuple[Endpoint, str]:
        await resolve(url, self.settings)
        endpoint_id = uuid4()
        async with self.pool.acquire() as conn, conn.transaction():
            start = await conn.fetchrow(HORIZON)  # it receives what commits from now on
            await conn.execute(
                "INSERT INTO webhook_endpoints (id, url, event_types, mode, organisations,"
                " personal_data, created_by, created_at, after_tx, after_position)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8, $9)",
                endpoint_id,
                url,
                None if event_types is None else list(event_types),
                mode.value,
                None if organisations is None else list(organisations),
                personal_data,
                created_by,
                0 if start is None else start["tx_id"],
                0 if start is None else start["position"],
            )
            secret = await self._add_secret(conn, endpoint_id)
        found = await self.get(endpoint_id)
        assert found is not None  # noqa: S101 - inserted just now
        return found, secret

    async def get(self, endpoint_id: UUID) -> Endpoint | None:
        row = await self.pool.fetchrow(_ENDPOINTS + " WHERE e.id = $1", endpoint_id)
        return None if row is None else _endpoint(row)

    async def endpoints(self) -> list[Endpoint]:
        rows = await self.pool.fetch(_ENDPOINTS + " ORDER BY e.created_at, e.id")
        return [_endpoint(r) for r in rows]

    async def rotate(self, endpoint_id: UUID) -> str:
        overlap = timedelta(seconds=self.settings.secret_overlap_seconds)
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "UPDATE webhook_secrets SET expires_at = $2"
                " WHERE endpoint_id = $1 AND expires_at IS NULL",
                endpoint_id,
                datetime.now(UTC) + overlap,
            )
            return await self._add_secret(conn, endpoint_id)

    async def set_disabled(self, endpoint_id: UUID, reason: str | None) -> None:
        if reason is None:
            await self.pool.execute(
                "UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL,"
                " failing_since = NULL WHERE id = $1",
                endpoint_id,
            )
        else:
            await self.pool.execute(
                "UPDATE webhook_endpoints SET disabled_at = coalesce(disabled_at, now()),"
                " disabled_reason = $2 WHERE id = $1",
                endpoint_id,
                reason,
            )

    async def redeliver(self, endpoint_id: UUID, event_id: UUID) -> bool:
        done = await self.pool.fetchval(
            "UPDATE webhook_messages SET status = 'pending', attempts = 0,"
            " next_attempt_at = now() WHERE endpoint_id = $1 AND event_id = $2 RETURNING true",
            endpoint_id,
            event_id,
        )
        return bool(done)

    async def replay(self, endpoint_id: UUID, since: datetime) -> int:
        rows = await self.pool.fetch(
            "UPDATE webhook_messages SET status = 'pending', attempts = 0, next_attempt_at = now()"
            " WHERE endpoint_id = $1 AND created_at >= $2"
            " AND (status = 'dead' OR (status = 'pending' AND attempts > 0)) RETURNING seq",
            endpoint_id,
            since,
        )
        return len(rows)

    async def messages(
        self, endpoint_id: UUID, *, limit: int, status: MessageStatus | None = None
    ) -> list[Message]:
        rows = await self.pool.fetch(
            "SELECT endpoint_id, event_id, position, status, attempts, next_attempt_at,"
            " created_at, delivered_at, last_error FROM webhook_messages"
            " WHERE endpoint_id = $1 AND ($2::text IS NULL OR status = $2)"
            " ORDER BY seq DESC LIMIT $3",
            endpoint_id,
            None if status is None else status.value,
            limit,
        )
        return [Message(**dict(r) | {"status": MessageStatus(r["status"])}) for r in rows]

    async def attempts(self, endpoint_id: UUID, event_id: UUID) -> list[Attempt]:
        rows = await self.pool.fetch(
            "SELECT a.at, a.status_code, a.error, a.duration_ms FROM webhook_attempts a"
            " JOIN webhook_messages m ON m.seq = a.message_seq"
            " WHERE m.endpoint_id = $1 AND m.event_id = $2 ORDER BY a.id",
            endpoint_id,
            event_id,
        )
        return [Attempt(**dict(r)) for r in rows]
