"""How bearer tokens are verified (`BRIDGEWORK_AUTH_*`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridgework.infra.env import names, positive_int, read, seconds

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True, kw_only=True)
class AuthSettings:
    """How bearer tokens are verified (infra/auth). With no `issuer`, Bridgework is its own."""

    issuer: str | None = None
    """An external OIDC issuer (`iss`); None trusts only Bridgework's own signing keys."""
    jwks_url: str | None = None
    """Its JWKS; None: the `jwks_uri` of `{issuer}/.well-known/openid-configuration`."""
    audience: str = "bridgework"
    algorithms: tuple[str, ...] = ("ES256", "RS256", "EdDSA")
    leeway_seconds: int = 30
    roles_claim: str = "roles"
    """Claim names (a dotted path reaches into objects, e.g. `realm_access.roles`)."""
    organisations_claim: str = "organisations"
    student_claim: str = "student_id"
    mentor_claim: str = "mentor_id"
    personal_data_claim: str = "personal_data"
    """A boolean claim: true grants the log's personal fields (`Principal.personal_data`)."""
    local_issuer: str = "bridgework"
    """The `iss` of the tokens Bridgework signs itself (set it to the public URL)."""
    max_token_seconds: int = 7 * 24 * 3600
    """The longest token Bridgework issues; a rotated key stays published this long."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AuthSettings:
        d = cls()

        def text(name: str, default: str) -> str:
            return read(env, f"BRIDGEWORK_AUTH_{name}", default, str, "a string")

        return cls(
            issuer=read(env, "BRIDGEWORK_AUTH_ISSUER", d.issuer, str, "an issuer URL"),
            jwks_url=read(env, "BRIDGEWORK_AUTH_JWKS_URL", d.jwks_url, str, "a URL"),
            audience=text("AUDIENCE", d.audience),
            algorithms=read(
                env, "BRIDGEWORK_AUTH_ALGORITHMS", d.algorithms, names, "a list like ES256,RS256"
            ),
            leeway_seconds=read(
                env, "BRIDGEWORK_AUTH_LEEWAY", d.leeway_seconds, seconds, "0 to 300 seconds"
            ),
            roles_claim=text("ROLES_CLAIM", d.roles_claim),
            organisations_claim=text("ORGANISATIONS_CLAIM", d.organisations_claim),
            student_claim=text("STUDENT_CLAIM", d.student_claim),
            mentor_claim=text("MENTOR_CLAIM", d.mentor_claim),
            personal_data_claim=text("PERSONAL_DATA_CLAIM", d.personal_data_claim),
            local_issuer=text("LOCAL_ISSUER", d.local_issuer),
            max_token_seconds=read(
                env,
                "BRIDGEWORK_AUTH_MAX_TOKEN_SECONDS",
                d.max_token_seconds,
                positive_int,
                "a whole number of seconds > 0",
            ),
        )
