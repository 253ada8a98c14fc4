"""Past views (`asOf`, `bridgework as-of`): their limits from the environment, and the
`AsOfViews` of a runtime (`projections/asof.py`), its readers' pools made here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridgework.infra.database import create_pool
from bridgework.infra.env import positive, positive_int, read
from bridgework.infra.migrate import available
from bridgework.projections.asof import AsOfLimits, AsOfViews
from bridgework.projections.registry import default_projections

if TYPE_CHECKING:
    from collections.abc import Mapping

    import asyncpg
    from bridgework.services.ports import EventCodec, EventStore


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

    def limits(self) -> AsOfLimits:
        return AsOfLimits(
            max_schemas=self.max_schemas,
            max_age_seconds=self.max_age_seconds,
            max_builds=self.max_builds,
            max_events=self.max_events,
        )


async def open_as_of(
    settings: AsOfSettings, dsn: str, pool: asyncpg.Pool, store: EventStore, codec: EventCodec
) -> AsOfViews:
    """A process's past views, what crashed builds left dropped."""

    async def open_pool(search_path: str, size: int) -> asyncpg.Pool:
        return await create_pool(dsn, 1, size, search_path=search_path)

    views = AsOfViews(
        pool,
        store,
        codec,
        default_projections(),
        open_pool,
        migrations=[name for name, _ in available()],
        limits=settings.limits(),
    )
    await views.start()
    return views
