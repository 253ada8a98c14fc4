"""One `Authorization` value → one principal: `Bearer bw_…` is an integration's API key,
any other bearer value a JWT for the token verifier."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.infra.auth.apikeys import PREFIX, ApiKeys
from bridgework.infra.auth.tokens import bearer_token, verifier_for

if TYPE_CHECKING:
    import asyncpg
    import httpx
    from bridgework.infra.auth.tokens import TokenVerifier
    from bridgework.infra.settings import Settings
    from bridgework.services.identity import Principal


class BearerAuthenticator:
    """`services.identity.Authenticator` over the configured token verifier and the
    `api_keys` table."""

    def __init__(self, tokens: TokenVerifier, keys: ApiKeys) -> None:
        self.tokens = tokens
        self.keys = keys

    async def authenticate(self, authorization: str | None) -> Principal:
        credential = bearer_token(authorization)
        if credential.startswith(PREFIX):
            return await self.keys.verify(credential)
        return await self.tokens.verify(credential)


def authenticator_for(
    settings: Settings, pool: asyncpg.Pool, client: httpx.AsyncClient | None = None
) -> BearerAuthenticator:
    return BearerAuthenticator(verifier_for(settings, client), ApiKeys(pool))
