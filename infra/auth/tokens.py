"""Verify a bearer token (JWT, JWS compact) and say who it names.

Algorithms are pinned before any key is chosen, so `none`, and HS256 signed with an
issuer's public key as the HMAC secret, are refused whatever the header says. `iss`,
`aud`, `exp` and `sub` are required; `exp`, `nbf` and `iat` get a small leeway for clock
skew.
"""

from __future__ import annotations

import time
import warnings
from collections import OrderedDict
from typing import TYPE_CHECKING

from bridgework.infra.auth.claims import ClaimMapping
from bridgework.infra.auth.issuer import LocalIssuer
from bridgework.infra.auth.jwks import KeyCache, LocalKeys, RemoteJwks
from bridgework.services.identity import Principal, Reason, Unauthenticated
from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    SecurityWarning,
)
from joserfc.jwt import JWTClaimsRegistry

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx
    from bridgework.infra.settings import Settings

REMEMBER_SECONDS = 300.0
"""How long a verified token is taken on trust again (never past its `exp`): a front end
sends the same token with every request, and a signature check costs more than many a
query. The price: a key the issuer withdraws still admits its tokens this long."""
REMEMBER_TOKENS = 10_000
LOCAL_REFRESH_SECONDS = 1.0
"""Re-reading our own key file is only a stat when it did not change."""

_CLAIM_REASONS = {"iss": Reason.ISSUER, "aud": Reason.AUDIENCE, "nbf": Reason.NOT_YET_VALID}


class TokenVerifier:
    def __init__(
        self,
        keys: KeyCache,
        *,
        issuer: str,
        audience: str,
        algorithms: tuple[str, ...],
        leeway_seconds: int = 30,
        mapping: ClaimMapping | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.algorithms = algorithms
        self.leeway_seconds = leeway_seconds
        self.mapping = mapping or ClaimMapping()
        self.clock = clock
        self.remembered = 0
        """How many verifications were answered from memory (for tests and metrics)."""
        self._verified: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        """The principal `token` names; `Unauthenticated` with the reason otherwise."""
        now = self.clock()
        known = self._verified.get(token)
        if known is not None:
            until, principal = known
            if now < until:
                self._verified.move_to_end(token)
                self.remembered += 1
                return principal
            del self._verified[token]
        principal = await self._verify(token)
        until = now + REMEMBER_SECONDS
        if principal.expires_at is not None:
            until = min(until, principal.expires_at.timestamp())
        self._verified[token] = (until, principal)
        if len(self._verified) > REMEMBER_TOKENS:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> Principal:
        try:
            header = jws.extract_compact(token.encode()).headers()
        except (JoseError, ValueError, UnicodeError) as e:
            raise Unauthenticated(Reason.MALFORMED) from e
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in self.algorithms:
            raise Unauthenticated(Reason.ALGORITHM, f"{alg!r}")
        if kid is not None and not isinstance(kid, str):
            raise Unauthenticated(Reason.MALFORMED, "kid")
        key_set = await self.keys.keys_for(kid)
        try:
            with warnings.catch_warnings():
                # joserfc flags the `EdDSA` name as superseded (RFC 9864); issuers still use it.
                warnings.simplefilter("ignore", SecurityWarning)
                decoded = jwt.decode(token, key_set, algorithms=list(self.algorithms))
        except BadSignatureError as e:
            raise Unauthenticated(Reason.SIGNATURE) from e
        except InvalidKeyIdError as e:
            raise Unauthenticated(Reason.UNKNOWN_KEY) from e
        except (JoseError, ValueError) as e:  # wrong key type for the alg, bad JSON, …
            raise Unauthenticated(Reason.MALFORMED, type(e).__name__) from e
        self._check(decoded.claims)
        return self.mapping.principal(decoded.claims)

    def _check(self, claims: dict[str, object]) -> None:
        registry = JWTClaimsRegistry(
            now=lambda: int(self.clock()),
            leeway=self.leeway_seconds,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True},
            sub={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError as e:
            raise Unauthenticated(Reason.EXPIRED) from e
        except ClaimError as e:
            reason = _CLAIM_REASONS.get(getattr(e, "claim", ""), Reason.CLAIMS)
            raise Unauthenticated(reason, e.description or "") from e


def verifier_for(settings: Settings, client: httpx.AsyncClient | None = None) -> TokenVerifier:
    """The configured verifier: the external issuer's JWKS over HTTP if one is set, else
    Bridgework's own keys read straight from the key file."""
    auth = settings.auth
    if auth.issuer is not None:
        keys = KeyCache(RemoteJwks(auth.issuer, auth.jwks_url, client))
        issuer = auth.issuer
    else:
        keys = KeyCache(LocalKeys(LocalIssuer(settings)), min_refresh_seconds=LOCAL_REFRESH_SECONDS)
        issuer = auth.local_issuer
    return TokenVerifier(
        keys,
        issuer=issuer,
        audience=auth.audience,
        algorithms=auth.algorithms,
        leeway_seconds=auth.leeway_seconds,
        mapping=ClaimMapping.from_settings(auth),
    )


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer …` value (HTTP header or the websocket's
    connection_init payload alike)."""
    if not authorization:
        raise Unauthenticated(Reason.MISSING)
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(Reason.MALFORMED, "expected 'Bearer <token>'")
    return token.strip()
