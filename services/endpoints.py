"""What is kept of webhook endpoints and their messages, and the port that keeps them
(`infra.webhooks.registry`); the commands that change them are in `services/webhooks.py`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

import msgspec


class DeliveryMode(StrEnum):
    ORDERED = "ordered"
    """One message at a time, in log order: the next waits until this one is delivered or
    dead-lettered."""
    PARALLEL = "parallel"
    """Several at once, in any order."""


class MessageStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    """Every retry failed: it waits for `redeliverWebhookMessage` or `replayWebhooks`."""


class Endpoint(msgspec.Struct, frozen=True, kw_only=True):
    """What is kept of an endpoint, never its secrets."""

    id: UUID
    url: str
    event_types: tuple[str, ...] | None
    """Stored event types; None: every type its scope holds."""
    mode: DeliveryMode
    organisations: tuple[UUID, ...] | None
    """None: every organisation's events (an administrator's endpoint)."""
    personal_data: bool
    created_by: str
    created_at: datetime
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    failing_since: datetime | None = None
    secrets: int = 1
    """How many secrets sign its messages now (more than one during a rotation)."""


class Attempt(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: float


class Message(msgspec.Struct, frozen=True, kw_only=True):
    endpoint_id: UUID
    event_id: UUID
    """Also its `webhook-id`, the same on every attempt."""
    position: int
    status: MessageStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None


class WebhookRegistry(Protocol):
    """Where endpoints and their messages are kept (`infra.webhooks.registry`)."""

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
        """A new endpoint and its first secret (checks the URL's destination: `url`)."""
        ...

    async def get(self, endpoint_id: UUID) -> Endpoint | None: ...

    async def endpoints(self) -> list[Endpoint]: ...

    async def rotate(self, endpoint_id: UUID) -> str:
        """A new current secret; the old ones sign on until they expire."""
        ...

    async def set_disabled(self, endpoint_id: UUID, reason: str | None) -> None: ...

    async def redeliver(self, endpoint_id: UUID, event_id: UUID) -> bool:
        """Send the message again (pending, due now); False if there is none."""
        ...

    async def replay(self, endpoint_id: UUID, since: datetime) -> int:
        """Every message made since `since` that failed (dead, or waiting for a retry)
        sent again now; how many."""
        ...

    async def messages(
        self, endpoint_id: UUID, *, limit: int, status: MessageStatus | None = None
    ) -> list[Message]:
        """The endpoint's newest messages first."""
        ...

    async def attempts(self, endpoint_id: UUID, event_id: UUID) -> list[Attempt]:
        """Every attempt to send one message, oldest first."""
        ...
