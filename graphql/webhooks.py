"""Signed webhooks in the API: register an endpoint (its secret is shown once), rotate its
secret, disable and enable it, and read its delivery log; redeliver one message or replay
everything that failed since a time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry
from bridgework.graphql.context import Info
from bridgework.graphql.errors import Failure
from bridgework.graphql.policy import Policies, commands, reads
from bridgework.graphql.run import run
from bridgework.graphql.shapes import ident
from bridgework.services import webhooks
from bridgework.services.contract import PUBLIC_NAMES
from bridgework.services.endpoints import DeliveryMode, Endpoint, MessageStatus
from bridgework.services.identity import Role
from bridgework.services.unit_of_work import CommandResult
from bridgework.services.webhooks import (
    HANDLERS,
    DisableWebhookEndpoint,
    EnableWebhookEndpoint,
    RedeliverWebhookMessage,
    RegisterWebhookEndpoint,
    ReplayWebhooks,
    RotateWebhookSecret,
)

strawberry.enum(DeliveryMode, name="WebhookMode", description="How an endpoint is sent to.")
strawberry.enum(MessageStatus, name="WebhookMessageStatus", description="What became of a message.")
MAX_MESSAGES = 100


@strawberry.type(description="One attempt to send a message.")
class WebhookAttempt:
    at: datetime
    status_code: int | None = strawberry.field(description="Null: no answer (see `error`).")
    error: str | None
    duration_ms: float


@strawberry.type(description="One event to one endpoint, and what became of it.")
class WebhookMessage:
    endpoint_id: strawberry.ID
    event_id: strawberry.ID = strawberry.field(description="Also its `webhook-id` header.")
    position: int
    status: MessageStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None

    @strawberry.field(description="Every attempt to send it, oldest first.")
    async def attempt_log(self, info: Info) -> list[WebhookAttempt]:
        registry = info.context.api.deps.webhooks
        assert registry is not None  # noqa: S101 - a message came from it
        found = await registry.attempts(UUID(self.endpoint_id), UUID(self.event_id))
        return [
            WebhookAttempt(
                at=a.at, status_code=a.status_code, error=a.error, duration_ms=a.duration_ms
            )
            for a in found
        ]


@strawberry.type(description="A webhook endpoint: what is known of it, never its secrets.")
class WebhookEndpoint:
    id: strawberry.ID
    url: str
    event_types: list[str] | None = strawberry.field(
        description="Public event types sent to it; null: every type of its scope."
    )
    mode: DeliveryMode
    organization_ids: list[strawberry.ID] | None = strawberry.field(
        description="Whose events it receives; null: every organisation's."
    )
    personal_data: bool
    created_by: str
    created_at: datetime
    disabled_at: datetime | None
    disabled_reason: str | None
    failing_since: datetime | None = strawberry.field(
        description="Failing without a success since then."
    )
    active_secrets: int = strawberry.field(
        description="Secrets that sign its messages now (two or more during a rotation)."
    )

    @classmethod
    def from_record(cls, e: Endpoint) -> WebhookEndpoint:
        return cls(
            id=ident(e.id),
            url=e.url,
            event_types=None if e.event_types is None else [PUBLIC_NAMES[t] for t in e.event_types],
            mode=e.mode,
            organization_ids=None
            if e.organisations is None
            else [ident(o) for o in e.organisations],
            personal_data=e.personal_data,
            created_by=e.created_by,
            created_at=e.created_at,
            disabled_at=e.disabled_at,
            disabled_reason=e.disabled_reason,
            failing_since=e.failing_since,
            active_secrets=e.secrets,
        )

    @strawberry.field(description="Its newest messages first (at most 100).")
    async def messages(
        self, info: Info, first: int = 20, status: MessageStatus | None = None
    ) -> list[WebhookMessage]:
        registry = info.context.api.deps.webhooks
        assert registry is not None  # noqa: S101 - an endpoint came from it
        limit = max(1, min(first, MAX_MESSAGES))
        found = await registry.messages(UUID(self.id), limit=limit, status=status)
        return [
            WebhookMessage(
                endpoint_id=ident(m.endpoint_id),
                event_id=ident(m.event_id),
                position=m.position,
                status=m.status,
                attempts=m.attempts,
                next_attempt_at=m.next_attempt_at,
                created_at=m.created_at,
                delivered_at=m.delivered_at,
                last_error=m.last_error,
            )
            for m in found
        ]


async def _endpoint(info: Info, endpoint_id: str) -> WebhookEndpoint | None:
    registry = info.context.api.deps.webhooks
    found = None if registry is None else await registry.get(UUID(endpoint_id))
    return None if found is None else WebhookEndpoint.from_record(found)


@strawberry.type(description="A new endpoint. `secret` is shown this once: keep it to verify.")
class WebhookEndpointRegistered:
    id: strawberry.ID
    secret: str = strawberry.field(description="`whsec_…`, for the receiver's `Webhook(secret)`.")

    @strawberry.field
    async def endpoint(self, info: Info) -> WebhookEndpoint | None:
        return await _endpoint(info, self.id)


@strawberry.type(
    description="A new secret, shown this once; the old ones sign on until they expire."
)
class WebhookSecretRotated:
    id: strawberry.ID
    secret: str


@strawberry.type(description="An endpoint disabled or enabled, or a message sent again.")
class WebhookEndpointUpdated:
    id: strawberry.ID
    count: int | None = strawberry.field(description="Messages sent again (`replayWebhooks`).")

    @strawberry.field
    async def endpoint(self, info: Info) -> WebhookEndpoint | None:
        return await _endpoint(info, self.id)


RegisterPayload = Annotated[
    WebhookEndpointRegistered | Failure, strawberry.union("RegisterWebhookEndpointPayload")
]
RotatePayload = Annotated[
    WebhookSecretRotated | Failure, strawberry.union("RotateWebhookSecretPayload")
]
UpdatePayload = Annotated[
    WebhookEndpointUpdated | Failure, strawberry.union("WebhookEndpointPayload")
]


@strawberry.input(description="Where to send which events.")
class RegisterWebhookEndpointInput:
    url: str = strawberry.field(description="http(s); a private address only if allow-listed.")
    event_types: list[str] | None = strawberry.field(
        default=None, description="Public event types (see /events/catalog); null: every type."
    )
    mode: DeliveryMode = DeliveryMode.ORDERED
    organization_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Null: your organisations (an administrator's: every one)."
    )
    personal_data: bool = strawberry.field(
        default=False, description="Send personal fields (only if you are granted them)."
    )


@strawberry.input
class WebhookEndpointInput:
    id: strawberry.ID


@strawberry.input
class RedeliverWebhookMessageInput:
    endpoint_id: strawberry.ID
    event_id: strawberry.ID


@strawberry.input
class ReplayWebhooksInput:
    endpoint_id: strawberry.ID
    since: datetime


def _registered(r: CommandResult) -> WebhookEndpointRegistered:
    assert r.message is not None  # noqa: S101 - the handler answers with the secret
    return WebhookEndpointRegistered(id=ident(r.id), secret=r.message)


def _rotated(r: CommandResult) -> WebhookSecretRotated:
    assert r.message is not None  # noqa: S101 - the handler answers with the secret
    return WebhookSecretRotated(id=ident(r.id), secret=r.message)


def _updated(r: CommandResult) -> WebhookEndpointUpdated:
    return WebhookEndpointUpdated(
        id=ident(r.id), count=None if r.message is None else int(r.message)
    )


@strawberry.type
class Query:
    @strawberry.field(
        description="Webhook endpoints, oldest first: every one for administrators and "
        "auditors, your organisations' for anyone else."
    )
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        found = await webhooks.endpoints_for(info.context.api.deps, info.context.caller)
        return [WebhookEndpoint.from_record(e) for e in found]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a webhook endpoint (its secret is shown once).")
    async def register_webhook_endpoint(
        self, info: Info, input: RegisterWebhookEndpointInput
    ) -> RegisterPayload:
        return await run(info, RegisterWebhookEndpoint, input, _registered)

    @strawberry.mutation(description="A new signing secret; the old one signs on until it expires.")
    async def rotate_webhook_secret(self, info: Info, input: WebhookEndpointInput) -> RotatePayload:
        return await run(info, RotateWebhookSecret, input, _rotated)

    @strawberry.mutation(description="Stop sending to an endpoint (what happens meanwhile waits).")
    async def disable_webhook_endpoint(
        self, info: Info, input: WebhookEndpointInput
    ) -> UpdatePayload:
        return await run(info, DisableWebhookEndpoint, input, _updated)

    @strawberry.mutation(description="Send to an endpoint again, from where it stopped.")
    async def enable_webhook_endpoint(
        self, info: Info, input: WebhookEndpointInput
    ) -> UpdatePayload:
        return await run(info, EnableWebhookEndpoint, input, _updated)

    @strawberry.mutation(description="Send one message again now (the same `webhook-id`).")
    async def redeliver_webhook_message(
        self, info: Info, input: RedeliverWebhookMessageInput
    ) -> UpdatePayload:
        return await run(info, RedeliverWebhookMessage, input, _updated)

    @strawberry.mutation(description="Send again every message that failed since `since`.")
    async def replay_webhooks(self, info: Info, input: ReplayWebhooksInput) -> UpdatePayload:
        return await run(info, ReplayWebhooks, input, _updated)


POLICIES: Policies = {
    "Query": {
        "webhook_endpoints": reads(
            Role.ADMINISTRATOR, Role.COORDINATOR, Role.AUDITOR, Role.INTEGRATION
        )
    },
    "Mutation": commands(HANDLERS),
}
"""Who may run each root field of this area (`policy.py`)."""
