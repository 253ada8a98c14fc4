"""The past views' limits (`asOf`, `bridgework as-of`) from the environment
(`BRIDGEWORK_ASOF_*`); `infra/asof.py` hands them to the views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridgework.infra.env import positive, positive_int, read

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True, kw_only=True)
class AsOfSettings:
    max_schemas: int = 8
    """Scratch schemas kept; the least recently read is dropped first."""
    max_age_seconds: float = 3600.0
    """A scratch schema older than this is dropped (and rebuilt if asked for again)."""
    max_builds: int = 2
    """Builds running at once in one process; more wait their turn."""
    max_events: int = 1_000_000
    """A past view that needs more events replayed is refused."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AsOfSettings:
        d, whole = cls(), "a whole number > 0"
        return cls(
            max_schemas=read(
                env, "BRIDGEWORK_ASOF_MAX_SCHEMAS", d.max_schemas, positive_int, whole
            ),
            max_age_seconds=read(
                env, "BRIDGEWORK_ASOF_MAX_AGE", d.max_age_seconds, positive(float), "seconds > 0"
            ),
            max_builds=read(env, "BRIDGEWORK_ASOF_MAX_BUILDS", d.max_builds, positive_int, whole),
            max_events=read(env, "BRIDGEWORK_ASOF_MAX_EVENTS", d.max_events, positive_int, whole),
        )
