"""The composition root's resources: one pool, one store, one projection runner per process."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import uuid4

from bridgework.infra.auth.apikeys import ApiKeys
from bridgework.infra.database import create_pool, resolve_database_url
from bridgework.infra.mail.mailer import Mailer
from bridgework.infra.migrate import migrate
from bridgework.infra.store import PostgresEventStore
from bridgework.infra.transcoding import Transcoder
from bridgework.infra.webhooks.registry import PostgresWebhooks
from bridgework.infra.webhooks.worker import Worker
from bridgework.projections.registry import default_projections
from bridgework.projections.runner import ProjectionRunner
from bridgework.services.unit_of_work import Deps

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import asyncpg
    from bridgework.infra.settings import Settings

log = logging.getLogger("bridgework")


GC_THRESHOLD = (50_000, 20, 20)


def tune_garbage_collector() -> None:
    """Reading the log makes thousands of short-lived, cycle-free objects per batch (rows,
    stored events, domain events); at the default first threshold (700) the collector scans
    them again and again, a third of catch-up time in tests/bench. Collect young objects less
    often, and leave what start-up created out of every future scan."""
    gc.set_threshold(*GC_THRESHOLD)
    gc.freeze()


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    pool: asyncpg.Pool
    store: PostgresEventStore
    deps: Deps
    runner: ProjectionRunner
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    mailer: Mailer | None = None
    webhooks: Worker | None = None

    def run_projections(self) -> None:
        """Tail the log in this process (the default; scaled out, `bridgework project` does it)."""
        self.tasks.append(asyncio.create_task(self.runner.run(), name="projections"))

    async def run_mailer(self) -> None:
        """Drain the mail outbox in this process until the runtime closes."""
        self.mailer = Mailer(self.pool, self.settings.mail)
        await self.mailer.start()

    async def run_webhooks(self) -> None:
        """Fan the log out to webhook endpoints and send, in this process, until it closes."""
        registry = self.deps.webhooks
        assert isinstance(registry, PostgresWebhooks)  # noqa: S101 - made by open_runtime
        self.webhooks = Worker(self.pool, self.store, registry, source=self.settings.event_source)
        await self.webhooks.start()


@contextlib.asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Start everything a command or the server needs, migrated and ready; close it after."""
    dsn = await asyncio.to_thread(resolve_database_url, settings)
    pool = await create_pool(dsn, settings.pool_min, settings.pool_max)
    try:
        applied = await migrate(pool)
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        keks = settings.keks()
        store = PostgresEventStore(pool, keks)
        await store.start()
        codec = Transcoder()
        deps = Deps(
            store=store,
            codec=codec,
            clock=utc_now,
            new_id=uuid4,
            secret_key=settings.signing_key(),
            link_days=settings.link_days,
            public_url=settings.public_url,
            keys=ApiKeys(pool),
            webhooks=PostgresWebhooks(pool, keks, settings.webhooks),
        )
        runner = ProjectionRunner(
            pool, store, codec, default_projections(), poll_interval=settings.poll_interval_seconds
        )
        await runner.setup()
        tune_garbage_collector()
        runtime = Runtime(settings=settings, pool=pool, store=store, deps=deps, runner=runner)
        try:
            yield runtime
        finally:
            for task in runtime.tasks:
                task.cancel()
            await asyncio.gather(*runtime.tasks, return_exceptions=True)
            if runtime.mailer is not None:
                await runtime.mailer.close()
            if runtime.webhooks is not None:
                await runtime.webhooks.close()
            await store.close()
    finally:
        await pool.close()
