"""Integrations' API keys: created and revoked by coordinators for their own organisations
(the deployment's administrators for any), listed to those who may manage them.

A key is not an event (the `api_keys` table holds it, `infra/auth/apikeys.py`): it is a
credential, stored only as a hash, shown once when created. Each key is scoped to one or
more organisations, may be read-only and may be limited to some event types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from bridgework.domain.catalog import EVENT_TYPES
from bridgework.services.authority import authorise
from bridgework.services.bus import Handlers
from bridgework.services.command import Command, Name, ShortText
from bridgework.services.context import Actor, Role
from bridgework.services.errors import Forbidden, InvalidInput, NotFound, ServiceError
from bridgework.services.unit_of_work import CommandResult

if TYPE_CHECKING:
    from bridgework.services.context import CommandContext
    from bridgework.services.identity import ApiKey, KeyRing, Principal
    from bridgework.services.unit_of_work import Deps

HANDLERS = Handlers()

MAX_ORGANISATIONS = 20
MAX_EVENT_TYPES = len(EVENT_TYPES)


class CreateApiKey(Command):
    """A key for an integration; `event_types` None: every type."""

    name: Name
    organization_ids: Annotated[
        list[UUID], msgspec.Meta(min_length=1, max_length=MAX_ORGANISATIONS)
    ]
    read_only: bool = False
    personal_data: bool = False
    """Grant the log's personal fields of its organisations' events."""
    event_types: Annotated[list[ShortText], msgspec.Meta(max_length=MAX_EVENT_TYPES)] | None = None

    def check(self) -> None:
        unknown = [i for i, t in enumerate(self.event_types or ()) if t not in EVENT_TYPES]
        if unknown:
            i = unknown[0]
            raise InvalidInput(f"eventTypes[{i}]", f"{self.event_types[i]!r} is no event type")  # type: ignore[index]


class RevokeApiKey(Command):
    id: UUID


def _keys(deps: Deps) -> KeyRing:
    if deps.keys is None:
        raise ServiceError("API keys are not kept by this deployment")
    return deps.keys


def manages(actor: Actor, key: ApiKey) -> bool:
    """The deployment's administrators manage every key; a coordinator, the keys scoped to
    their organisations only."""
    return actor.role is Role.ADMINISTRATOR or set(key.organisations) <= actor.organisations


@HANDLERS.of(CreateApiKey)
async def create_api_key(deps: Deps, ctx: CommandContext, cmd: CreateApiKey) -> CommandResult:
    """Create a key; the result's `message` is the key itself, shown this once (no command
    record keeps it: a key appends no event)."""
    authorise(ctx.actor, cmd)
    theirs = set(cmd.organization_ids) - ctx.actor.organisations
    if theirs and ctx.actor.role is not Role.ADMINISTRATOR:
        raise Forbidden(f"{ctx.actor.id!r} may create keys only for their own organisations")
    key, secret = await _keys(deps).create(
        name=cmd.name,
        organisations=cmd.organization_ids,
        created_by=f"{ctx.actor.role}:{ctx.actor.id}",
        read_only=cmd.read_only,
        event_types=cmd.event_types,
        personal_data=cmd.personal_data,
    )
    return CommandResult(id=key.id, status="CREATED", message=secret)


@HANDLERS.of(RevokeApiKey)
async def revoke_api_key(deps: Deps, ctx: CommandContext, cmd: RevokeApiKey) -> CommandResult:
    """Revoke a key: from now on it is refused (revoking again changes nothing)."""
    authorise(ctx.actor, cmd)
    keys = _keys(deps)
    found = await keys.get(cmd.id)
    if found is None:
        raise NotFound("apiKey", cmd.id, "id")
    if not manages(ctx.actor, found):
        raise Forbidden(f"{ctx.actor.id!r} may revoke only their organisations' keys")
    await keys.revoke(cmd.id)
    return CommandResult(id=cmd.id, status="REVOKED")


async def keys_for(deps: Deps, principal: Principal) -> list[ApiKey]:
    """The keys this principal may see: every key for administrators and auditors, a
    coordinator's organisations' keys for them."""
    found = await _keys(deps).list()
    if principal.has_any_role(Role.ADMINISTRATOR, Role.AUDITOR):
        return found
    return [k for k in found if set(k.organisations) <= principal.organisations]
