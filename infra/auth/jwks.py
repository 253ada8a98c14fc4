"""Where a verifier's keys come from, and how long it keeps them.

An external issuer's JWKS is fetched over HTTP and cached; a token with a `kid` the cache
does not know triggers a refresh (the issuer rotated its keys), but at most once per
`min_refresh_seconds`, so a flood of made-up kids cannot hammer the issuer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from bridgework.services.identity import Reason, Unauthenticated
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

if TYPE_CHECKING:
    from collections.abc import Callable

    from bridgework.infra.auth.issuer import LocalIssuer

log = logging.getLogger("bridgework")

MIN_REFRESH_SECONDS = 30.0
MAX_AGE_SECONDS = 3600.0
HTTP_TIMEOUT_SECONDS = 5.0


class KeySource(Protocol):
    async def load(self) -> KeySet: ...


class LocalKeys:
    """Bridgework's own published keys, read from the key file (no HTTP to ourselves)."""

    def __init__(self, issuer: LocalIssuer) -> None:
        self.issuer = issuer

    async def load(self) -> KeySet:
        return self.issuer.published()


class RemoteJwks:
    """An issuer's JWKS over HTTP; its address from OIDC discovery unless given."""

    def __init__(
        self, issuer: str, jwks_url: str | None = None, client: httpx.AsyncClient | None = None
    ) -> None:
        self.issuer = issuer
        self.jwks_url = jwks_url
        self.client = client or httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS)

    async def _json(self, url: str) -> Any:
        response = await self.client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.json()

    async def load(self) -> KeySet:
        if self.jwks_url is None:
            discovery = await self._json(
                f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"
            )
            if (
                not isinstance(discovery, dict)
                or discovery.get("issuer") != self.issuer
                or not discovery.get("jwks_uri")
            ):
                raise ValueError("the discovery document names another issuer or no jwks_uri")
            self.jwks_url = str(discovery["jwks_uri"])
        return KeySet.import_key_set(await self._json(self.jwks_url))

    async def close(self) -> None:
        await self.client.aclose()


class KeyCache:
    """The source's keys, loaded once, kept up to `max_age_seconds`, and refreshed early
    for an unknown kid at most once per `min_refresh_seconds` (failed loads count too)."""

    def __init__(
        self,
        source: KeySource,
        *,
        min_refresh_seconds: float = MIN_REFRESH_SECONDS,
        max_age_seconds: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.min_refresh_seconds = min_refresh_seconds
        self.max_age_seconds = max_age_seconds
        self.clock = clock
        self.loads = 0
        """How many times the source was asked (a measure for tests and metrics)."""
        self._keys: KeySet | None = None
        self._loaded_at = 0.0
        self._tried_at: float | None = None
        self._lock = asyncio.Lock()

    def _knows(self, kid: str | None) -> bool:
        if self._keys is None:
            return False
        return (kid is None and len(self._keys.keys) == 1) or any(
            k.kid == kid for k in self._keys.keys
        )

    def _stale(self) -> bool:
        return self._keys is None or self.clock() - self._loaded_at >= self.max_age_seconds

    def _may_refresh(self) -> bool:
        return self._tried_at is None or self.clock() - self._tried_at >= self.min_refresh_seconds

    async def keys_for(self, kid: str | None) -> KeySet:
        """Keys that include `kid`'s, if the source has it; raises when none can be had."""
        if not self._knows(kid) or self._stale():
            async with self._lock:  # one load for many requests waiting on the same kid
                if (not self._knows(kid) or self._stale()) and self._may_refresh():
                    await self._refresh()
        if self._keys is None:
            raise Unauthenticated(Reason.KEYS_UNAVAILABLE)
        if not self._knows(kid):
            raise Unauthenticated(Reason.UNKNOWN_KEY, f"kid {kid!r}")
        return self._keys

    async def _refresh(self) -> None:
        self._tried_at = self.clock()
        self.loads += 1
        try:
            keys = await self.source.load()
        except (httpx.HTTPError, JoseError, ValueError, KeyError, TypeError):
            # Keep the keys we had: an issuer that is down must not lock everyone out.
            log.warning("could not load the token issuer's keys", exc_info=True)
            return
        self._keys = keys
        self._loaded_at = self._tried_at
