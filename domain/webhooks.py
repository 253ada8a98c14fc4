"""A webhook endpoint disabled without anyone asking: a fact for the log.

An endpoint itself is configuration holding a credential, not an aggregate
(`services/webhooks.py`). But when the delivery worker disables one, because its receiver
failed for days or answered 410 Gone, the integration and the auditors must be able to see
it as they see everything else: in the log, the feed and other endpoints' webhooks. Each
such disabling is its own stream of one event, its id derived from what it is about (the
endpoint and the failure), so recording the same disabling twice is refused by the log.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from bridgework.domain.base import BridgeworkAggregate
from eventsourcing.domain import Aggregate, event

_NAMESPACE = UUID("6f1c2a8e-3b7d-5e0f-9a4c-2d8b7e6f1a30")


class EndpointDisabling(BridgeworkAggregate):
    """One endpoint disabled by the delivery worker, and why."""

    STREAM = "disabling"

    class WebhookEndpointDisabled(Aggregate.Created):
        endpoint_id: UUID
        host: str
        """The URL's host only: its path or query may hold a token."""
        reason: str
        failing_since: datetime | None
        """When its failures began (None: disabled at its first, a 410 Gone)."""
        organisation_ids: tuple[UUID, ...]
        """The endpoint's organisations (none: an administrator's, for every organisation)."""

    @event(WebhookEndpointDisabled)
    def __init__(
        self,
        endpoint_id: UUID,
        host: str,
        reason: str,
        failing_since: datetime | None,
        organisation_ids: tuple[UUID, ...],
    ) -> None:
        self.endpoint_id = endpoint_id
        self.organisation_ids = organisation_ids

    @property
    def scope(self) -> tuple[UUID, ...]:
        return self.organisation_ids

    @staticmethod
    def id_of(endpoint_id: UUID, cause: str) -> UUID:
        """The disabling's id: the same endpoint and cause always give the same stream."""
        return uuid5(_NAMESPACE, f"{endpoint_id}:{cause}")

    @classmethod
    def record(
        cls,
        *,
        endpoint_id: UUID,
        cause: str,
        host: str,
        reason: str,
        failing_since: datetime | None,
        organisation_ids: tuple[UUID, ...],
        at: datetime,
    ) -> EndpointDisabling:
        return cls._create(
            cls.WebhookEndpointDisabled,
            id=cls.id_of(endpoint_id, cause),
            endpoint_id=endpoint_id,
            host=host,
            reason=reason,
            failing_since=failing_since,
            organisation_ids=organisation_ids,
            timestamp=at,
        )
