"""Integrations' API keys in the API: coordinators create and revoke them for their own
organisations (administrators for any) and list them; the key itself is shown once."""

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
from bridgework.services import access
from bridgework.services.access import HANDLERS, CreateApiKey, RevokeApiKey
from bridgework.services.identity import ApiKey as KeyRecord
from bridgework.services.identity import Role
from bridgework.services.unit_of_work import CommandResult


@strawberry.type(description="An integration's API key: what is known of it, never the key.")
class ApiKey:
    id: strawberry.ID
    name: str
    hint: str = strawberry.field(description="The key's first characters, to tell keys apart.")
    organization_ids: list[strawberry.ID]
    read_only: bool
    personal_data: bool = strawberry.field(description="Shown the log's personal fields.")
    event_types: list[str] | None = strawberry.field(description="Null: every event type.")
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None = strawberry.field(description="To the minute.")

    @classmethod
    def from_record(cls, k: KeyRecord) -> ApiKey:
        return cls(
            id=ident(k.id),
            name=k.name,
            hint=k.hint,
            organization_ids=[ident(o) for o in k.organisations],
            read_only=k.read_only,
            personal_data=k.personal_data,
            event_types=None if k.event_types is None else list(k.event_types),
            created_by=k.created_by,
            created_at=k.created_at,
            revoked_at=k.revoked_at,
            last_used_at=k.last_used_at,
        )


async def _record(info: Info, key_id: str) -> ApiKey | None:
    keys = info.context.api.deps.keys
    found = None if keys is None else await keys.get(UUID(key_id))
    return None if found is None else ApiKey.from_record(found)


@strawberry.type(description="A new key. `key` is shown this once and never again: keep it.")
class ApiKeyCreated:
    key: str = strawberry.field(description="Send it as `Authorization: Bearer <key>`.")
    id: strawberry.ID

    @strawberry.field
    async def api_key(self, info: Info) -> ApiKey | None:
        return await _record(info, self.id)


@strawberry.type(description="The key is revoked: every request with it is refused.")
class ApiKeyRevoked:
    id: strawberry.ID

    @strawberry.field
    async def api_key(self, info: Info) -> ApiKey | None:
        return await _record(info, self.id)


CreateApiKeyPayload = Annotated[ApiKeyCreated | Failure, strawberry.union("CreateApiKeyPayload")]
RevokeApiKeyPayload = Annotated[ApiKeyRevoked | Failure, strawberry.union("RevokeApiKeyPayload")]


@strawberry.input(description="A key for an integration, scoped to some of your organisations.")
class CreateApiKeyInput:
    name: str = strawberry.field(description="What the integration is, e.g. 'District SIS'.")
    organization_ids: list[strawberry.ID]
    read_only: bool = False
    personal_data: bool = strawberry.field(
        default=False,
        description="Show it the personal fields of its organisations' events (redacted "
        "otherwise); raw self-reported demographics are shown to no one.",
    )
    event_types: list[str] | None = strawberry.field(
        default=None, description="The event types it may read; null for every type."
    )


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID


def _created(result: CommandResult) -> ApiKeyCreated:
    assert result.message is not None  # noqa: S101 - the handler answers with the key
    return ApiKeyCreated(key=result.message, id=ident(result.id))


@strawberry.type
class Query:
    @strawberry.field(
        description="API keys, oldest first: every key for administrators and auditors, your "
        "organisations' keys for a coordinator."
    )
    async def api_keys(self, info: Info) -> list[ApiKey]:
        found = await access.keys_for(info.context.api.deps, info.context.caller)
        return [ApiKey.from_record(k) for k in found]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create an integration's API key (shown once).")
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
        return await run(info, CreateApiKey, input, _created)

    @strawberry.mutation(description="Revoke an API key: it is refused from now on.")
    async def revoke_api_key(self, info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
        return await run(info, RevokeApiKey, input, lambda r: ApiKeyRevoked(id=ident(r.id)))


POLICIES: Policies = {
    "Query": {"api_keys": reads(Role.ADMINISTRATOR, Role.COORDINATOR, Role.AUDITOR)},
    "Mutation": commands(HANDLERS),
}
"""Who may run each root field of this area (`policy.py`)."""
