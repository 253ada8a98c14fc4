"""Production mode, the mutation rate limit and the security headers' switches, from the
environment (`BRIDGEWORK_ENV`, `BRIDGEWORK_GRAPHIQL`, `BRIDGEWORK_INTROSPECTION`,
`BRIDGEWORK_HTTPS`, `BRIDGEWORK_MUTATIONS_PER_MINUTE`, `BRIDGEWORK_MUTATION_BURST`); the
headers are set by `infra/protection.py`, the limits enforced by `graphql/exposure.py`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridgework.infra.env import flag, one_of, positive_int, read

if TYPE_CHECKING:
    from collections.abc import Mapping

ENVIRONMENTS = ("development", "production")


@dataclass(frozen=True, kw_only=True)
class ProtectionSettings:
    environment: str = "development"
    graphiql: bool = True
    """GraphiQL at GET /graphql; off in production unless `BRIDGEWORK_GRAPHIQL=true`."""
    introspection: bool = True
    """`__schema` and `__type`; off in production unless `BRIDGEWORK_INTROSPECTION=true`."""
    https: bool = False
    """Served behind TLS: responses carry `Strict-Transport-Security`."""
    mutations_per_minute: int = 600
    """Per identity and per process (each process of several enforces its own)."""
    mutation_burst: int = 600
    """Mutations one identity may send at once before the per-minute rate applies."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ProtectionSettings:
        d = cls()
        environment = read(
            env, "BRIDGEWORK_ENV", d.environment, one_of(ENVIRONMENTS), "development or production"
        )
        development = environment == "development"
        return cls(
            environment=environment,
            graphiql=read(env, "BRIDGEWORK_GRAPHIQL", development, flag, "true or false"),
            introspection=read(env, "BRIDGEWORK_INTROSPECTION", development, flag, "true or false"),
            https=read(env, "BRIDGEWORK_HTTPS", d.https, flag, "true or false"),
            mutations_per_minute=read(
                env,
                "BRIDGEWORK_MUTATIONS_PER_MINUTE",
                d.mutations_per_minute,
                positive_int,
                "a whole number > 0",
            ),
            mutation_burst=read(
                env,
                "BRIDGEWORK_MUTATION_BURST",
                d.mutation_burst,
                positive_int,
                "a whole number > 0",
            ),
        )
