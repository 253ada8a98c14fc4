"""An endpoint the worker disables, failing for days or answered 410 Gone, is disabled with an
event: `WebhookEndpointDisabled` (`domain/webhooks.py`) is appended first, under an id made
of the endpoint and the failure, then the endpoint is disabled. A worker killed in between
appends nothing new the next time (the same failure gives the same id) and disables it then."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from bridgework.services.context import Actor, CommandContext
from bridgework.services.identity import Role
from bridgework.services.webhooks import RecordEndpointDisabled, record_endpoint_disabled

if TYPE_CHECKING:
    from uuid import UUID

    import asyncpg
    from bridgework.infra.webhooks.registry import PostgresWebhooks
    from bridgework.services.unit_of_work import Deps

log = logging.getLogger("bridgework.webhooks")

WORKER = Actor("webhook-worker", Role.ADMINISTRATOR)
"""Who the log says disabled it: the deployment's own delivery worker."""

_FAILING_TOO_LONG = """
SELECT url, organisations, failing_since FROM webhook_endpoints
WHERE id = $1 AND disabled_at IS NULL AND failing_since < now() - make_interval(secs => $2)
"""
_ENDPOINT = "SELECT url, organisations, failing_since FROM webhook_endpoints WHERE id = $1"


class Disabler:
    def __init__(self, pool: asyncpg.Pool, deps: Deps, registry: PostgresWebhooks) -> None:
        self.pool, self.deps, self.registry = pool, deps, registry

    async def if_failing_too_long(self, endpoint_id: UUID, after: float, error: str) -> bool:
        """Disable the endpoint if it has failed without a success for `after` seconds."""
        row = await self.pool.fetchrow(_FAILING_TOO_LONG, endpoint_id, after)
        if row is None:
            return False
        since = row["failing_since"]
        reason = f"failing since {since.isoformat()}: {error}"
        await self._disable(endpoint_id, f"failing-since:{since.isoformat()}", reason, row)
        log.error("webhook endpoint %s disabled: %s", endpoint_id, reason)
        return True

    async def gone(self, endpoint_id: UUID, seq: int) -> None:
        """The receiver answered message `seq` with 410 Gone: disable the endpoint."""
        row = await self.pool.fetchrow(_ENDPOINT, endpoint_id)
        if row is not None:
            await self._disable(endpoint_id, f"gone:{seq}", "the receiver answered 410 Gone", row)
        log.warning("webhook endpoint %s disabled: 410 Gone", endpoint_id)

    async def _disable(
        self, endpoint_id: UUID, cause: str, reason: str, row: asyncpg.Record
    ) -> None:
        ctx = CommandContext(actor=WORKER, correlation_id=uuid.uuid4(), command_uuid=uuid.uuid4())
        command = RecordEndpointDisabled(
            endpoint_id=endpoint_id,
            cause=cause,
            url=row["url"],
            reason=reason,
            failing_since=row["failing_since"],
            organization_ids=list(row["organisations"] or ()),
        )
        await record_endpoint_disabled(self.deps, ctx, command)
        await self.registry.set_disabled(endpoint_id, reason)
