"""Past views (`asOf`, `bridgework as-of`): the `AsOfViews` of a runtime
(`projections/asof.py`) with the limits of `infra/asof_settings.py`, its readers' pools
made here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.infra.database import create_pool
from bridgework.infra.migrate import available
from bridgework.projections.asof import AsOfLimits, AsOfViews
from bridgework.projections.registry import default_projections

if TYPE_CHECKING:
    import asyncpg
    from bridgework.infra.asof_settings import AsOfSettings
    from bridgework.services.ports import EventCodec, EventStore


def limits(settings: AsOfSettings) -> AsOfLimits:
    """The views' limits, as the environment set them."""
    return AsOfLimits(
        max_schemas=settings.max_schemas,
        max_age_seconds=settings.max_age_seconds,
        max_builds=settings.max_builds,
        max_events=settings.max_events,
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
        limits=limits(settings),
    )
    await views.start()
    return views
