"""Signed webhooks: endpoints registered by coordinators (for their organisations), the
deployment's administrators, or an integration's API key (within its own scope).

An endpoint is not an event (the `webhook_endpoints` table holds it, `infra/webhooks/`): like
an API key it is configuration holding a credential, its signing secret (`whsec_…`), shown
once when made or rotated. It receives the public CloudEvents of its organisations' events
(`services/contract.py`), of the public types it names, with personal fields only when the
principal that registered it was granted them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, ClassVar
from urllib.parse import urlsplit
from uuid import UUID

import msgspec
from bridgework.services.bus import Handlers
from bridgework.services.command import Command, has_control_characters
from bridgework.services.context import Role
from bridgework.services.contract import PUBLIC_NAMES
from bridgework.services.endpoints import DeliveryMode, Endpoint
from bridgework.services.errors import Forbidden, InvalidInput, NotFound, ServiceError
from bridgework.services.unit_of_work import CommandResult

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext
    from bridgework.services.endpoints import WebhookRegistry
    from bridgework.services.identity import Principal
    from bridgework.services.unit_of_work import Deps

HANDLERS = Handlers()

MAX_URL = 2000
MAX_ORGANISATIONS = 20
ENDPOINT_ROLES = frozenset({Role.ADMINISTRATOR, Role.COORDINATOR, Role.INTEGRATION})
STORED_NAMES = {public: stored for stored, public in PUBLIC_NAMES.items()}
"""Each public type's stored event type."""


def check_url(url: str, field: str = "url") -> None:
    """An http(s) URL with a host, no credentials, no spaces or control characters (where it
    may point is checked, after DNS, by the registry and at every send)."""
    if has_control_characters(url) or any(c.isspace() for c in url):
        raise InvalidInput(field, "a URL cannot hold spaces or control characters")
    if len(url) > MAX_URL:
        raise InvalidInput(field, f"at most {MAX_URL} characters, got {len(url)}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise InvalidInput(field, f"not a URL: {e}") from None
    del port
    if parts.scheme not in {"http", "https"}:
        raise InvalidInput(field, f"must be an http or https URL, got {parts.scheme!r}")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(field, "a webhook URL cannot carry credentials (user:password@)")
    if not parts.hostname:
        raise InvalidInput(field, "a URL needs a host")


PublicType = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class RegisterWebhookEndpoint(Command):
    """An endpoint; `event_types` (public names) None: every type of the caller's scope;
    `organization_ids` None: the caller's organisations (an administrator's: every one)."""

    allowed_roles: ClassVar[frozenset[Role]] = ENDPOINT_ROLES
    url: str
    event_types: Annotated[list[PublicType], msgspec.Meta(max_length=len(PUBLIC_NAMES))] | None = (
        None
    )
    mode: DeliveryMode = DeliveryMode.ORDERED
    organization_ids: (
        Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=MAX_ORGANISATIONS)] | None
    ) = None
    personal_data: bool = False

    def check(self) -> None:
        check_url(self.url)
        for i, name in enumerate(self.event_types or ()):
            if name not in STORED_NAMES:
                raise InvalidInput(f"eventTypes[{i}]", f"{name[:200]!r} is not a public event type")


class EndpointCommand(Command):
    abstract = True
    allowed_roles: ClassVar[frozenset[Role]] = ENDPOINT_ROLES
    id: UUID


class RotateWebhookSecret(EndpointCommand):
    pass


class DisableWebhookEndpoint(EndpointCommand):
    pass


class EnableWebhookEndpoint(EndpointCommand):
    pass


class RedeliverWebhookMessage(Command):
    allowed_roles: ClassVar[frozenset[Role]] = ENDPOINT_ROLES
    endpoint_id: UUID
    event_id: UUID


class ReplayWebhooks(Command):
    allowed_roles: ClassVar[frozenset[Role]] = ENDPOINT_ROLES
    endpoint_id: UUID
    since: datetime

    def check(self) -> None:
        if self.since.tzinfo is None:
            raise InvalidInput("since", "a time needs its offset (e.g. Z)")


def _registry(deps: Deps) -> WebhookRegistry:
    if deps.webhooks is None:
        raise ServiceError("webhooks are not kept by this deployment")
    return deps.webhooks


def manages(admin: bool, organisations: frozenset[UUID], endpoint: Endpoint) -> bool:  # noqa: FBT001
    """Administrators manage every endpoint; anyone else those scoped to their organisations."""
    if admin:
        return True
    return endpoint.organisations is not None and set(endpoint.organisations) <= organisations


def _scope(ctx: CommandContext, cmd: RegisterWebhookEndpoint) -> tuple[UUID, ...] | None:
    admin = ctx.actor.role is Role.ADMINISTRATOR
    if cmd.organization_ids is None:
        if admin:
            return None
        if not ctx.actor.organisations:
            raise InvalidInput("organizationIds", "you belong to no organisation: name some")
        return tuple(sorted(ctx.actor.organisations))
    theirs = set(cmd.organization_ids) - ctx.actor.organisations
    if theirs and not admin:
        raise Forbidden(f"{ctx.actor.id!r} may register endpoints only for their organisations")
    return tuple(sorted(set(cmd.organization_ids)))


def _types(principal: Principal | None, cmd: RegisterWebhookEndpoint) -> tuple[str, ...] | None:
    wanted = None if cmd.event_types is None else {STORED_NAMES[n] for n in cmd.event_types}
    allowed = None if principal is None else principal.event_types
    if allowed is None:
        return None if wanted is None else tuple(sorted(wanted))
    if wanted is None:
        return tuple(sorted(allowed))
    if outside := sorted(wanted - allowed):
        raise Forbidden(f"your key may not read {PUBLIC_NAMES[outside[0]]}")
    return tuple(sorted(wanted))


@HANDLERS.of(RegisterWebhookEndpoint)
async def register_webhook_endpoint(
    deps: Deps, ctx: CommandContext, cmd: RegisterWebhookEndpoint
) -> CommandResult:
    """Register an endpoint; the result's `message` is its secret, shown this once."""
    authorise_endpoints(ctx)
    organisations = _scope(ctx, cmd)
    types = _types(ctx.principal, cmd)
    if cmd.personal_data and not (ctx.principal and ctx.principal.personal_data):
        raise Forbidden("only a caller granted personal data may have it sent to an endpoint")
    endpoint, secret = await _registry(deps).register(
        url=cmd.url,
        event_types=types,
        mode=cmd.mode,
        organisations=organisations,
        personal_data=cmd.personal_data,
        created_by=f"{ctx.actor.role}:{ctx.actor.id}",
        api_key_id=_api_key(ctx),
    )
    return CommandResult(id=endpoint.id, status="REGISTERED", message=secret)


def _api_key(ctx: CommandContext) -> UUID | None:
    """The API key registering, if one is (`apikey:<id>`: `ApiKey.principal`)."""
    kind, _, key_id = ctx.actor.id.partition(":")
    return UUID(key_id) if ctx.actor.role is Role.INTEGRATION and kind == "apikey" else None


def authorise_endpoints(ctx: CommandContext) -> None:
    if ctx.actor.role not in ENDPOINT_ROLES:
        raise Forbidden(f"{ctx.actor.role} {ctx.actor.id!r} may not manage webhooks")


async def _managed(deps: Deps, ctx: CommandContext, endpoint_id: UUID, field: str) -> Endpoint:
    authorise_endpoints(ctx)
    found = await _registry(deps).get(endpoint_id)
    admin = ctx.actor.role is Role.ADMINISTRATOR
    if found is None or not manages(admin, ctx.actor.organisations, found):
        raise NotFound("webhookEndpoint", endpoint_id, field)
    return found


@HANDLERS.of(RotateWebhookSecret)
async def rotate_webhook_secret(
    deps: Deps, ctx: CommandContext, cmd: RotateWebhookSecret
) -> CommandResult:
    """A new secret (shown once in `message`); the old one keeps signing until it expires."""
    await _managed(deps, ctx, cmd.id, "id")
    secret = await _registry(deps).rotate(cmd.id)
    return CommandResult(id=cmd.id, status="ROTATED", message=secret)


@HANDLERS.of(DisableWebhookEndpoint)
async def disable_webhook_endpoint(
    deps: Deps, ctx: CommandContext, cmd: DisableWebhookEndpoint
) -> CommandResult:
    """Stop sending; what happens meanwhile is sent once it is enabled again."""
    await _managed(deps, ctx, cmd.id, "id")
    await _registry(deps).set_disabled(cmd.id, f"disabled by {ctx.actor.role}:{ctx.actor.id}")
    return CommandResult(id=cmd.id, status="DISABLED")


@HANDLERS.of(EnableWebhookEndpoint)
async def enable_webhook_endpoint(
    deps: Deps, ctx: CommandContext, cmd: EnableWebhookEndpoint
) -> CommandResult:
    await _managed(deps, ctx, cmd.id, "id")
    await _registry(deps).set_disabled(cmd.id, None)
    return CommandResult(id=cmd.id, status="ENABLED")


@HANDLERS.of(RedeliverWebhookMessage)
async def redeliver_webhook_message(
    deps: Deps, ctx: CommandContext, cmd: RedeliverWebhookMessage
) -> CommandResult:
    """Send one message again now, whatever became of it (same `webhook-id`)."""
    await _managed(deps, ctx, cmd.endpoint_id, "endpointId")
    if not await _registry(deps).redeliver(cmd.endpoint_id, cmd.event_id):
        raise NotFound("webhookMessage", cmd.event_id, "eventId")
    return CommandResult(id=cmd.endpoint_id, status="PENDING")


@HANDLERS.of(ReplayWebhooks)
async def replay_webhooks(deps: Deps, ctx: CommandContext, cmd: ReplayWebhooks) -> CommandResult:
    """Send again everything that failed since `since`; `message` is how many."""
    await _managed(deps, ctx, cmd.endpoint_id, "endpointId")
    count = await _registry(deps).replay(cmd.endpoint_id, cmd.since)
    return CommandResult(id=cmd.endpoint_id, status="REPLAYED", message=str(count))


async def endpoints_for(deps: Deps, principal: Principal) -> list[Endpoint]:
    """The endpoints this principal may see: every one for administrators and auditors,
    those scoped to their organisations for anyone else."""
    found = await _registry(deps).endpoints()
    if principal.has_any_role(Role.ADMINISTRATOR, Role.AUDITOR):
        return found
    return [e for e in found if manages(False, principal.organisations, e)]  # noqa: FBT003
