"""The composition root's resources: one pool, one store, one projection runner per process."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import uuid4

from bridgework.infra.asof import open_as_of
from bridgework.infra.auth.apikeys import ApiKeys
from bridgework.infra.checkpoints.publisher import Publisher
from bridgework.infra.checkpoints.signer import Signer
from bridgework.infra.database import DatabaseUrls, create_pool, database_urls
from bridgework.infra.mail.mailer import Mailer
from bridgework.infra.migrate import migrate
from bridgework.infra.relay.relay import Relay
from bridgework.infra.roles import is_privileged
from bridgework.infra.store import PostgresEventStore
from bridgework.infra.transcoding import Transcoder
from bridgework.infra.webhooks.registry import PostgresWebhooks
from bridgework.infra.webhooks.worker import Worker
from bridgework.projections.registry import default_projections
from bridgework.projections.runner import ProjectionRunner
from bridgework.services.unit_of_work import Deps

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable

    import asyncpg
    from bridgework.infra.settings import Settings
    from bridgework.projections.asof import AsOfViews

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
    as_of: AsOfViews
    """Every read model as of a past moment (`asOf`, `bridgework as-of`)."""
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    mailer: Mailer | None = None
    relay: Relay | None = None
    webhooks: Worker | None = None

    def run_projections(self) -> None:
        """Tail the log in this process (the default; scaled out, `bridgework project` does it),
        and publish signed checkpoints of what the sealer seals."""
        self.tasks.append(asyncio.create_task(self.runner.run(), name="projections"))
        self.publish_checkpoints()

    @functools.cached_property
    def signer(self) -> Signer:
        """The checkpoint key (made in the data folder on first use unless configured)."""
        return Signer.from_settings(self.settings)

    def publish_checkpoints(self) -> None:
        publisher = Publisher(self.pool, self.signer, self.settings.checkpoints.interval_seconds)
        self.tasks.append(asyncio.create_task(publisher.run(), name="checkpoints"))

    async def run_mailer(self) -> None:
        """Drain the mail outbox in this process until the runtime closes."""
        self.mailer = Mailer(self.pool, self.settings.mail)
        await self.mailer.start()

    def run_relay(self) -> None:
        """Publish the log to NATS JetStream in this process (`bridgework relay nats` does it
        in one of its own); a stream it must not use stops the relay, not the server."""
        self.relay = Relay(
            self.pool,
            self.store,
            self.settings.relay,
            source=self.settings.event_source,
            poll_seconds=self.settings.poll_interval_seconds,
        )
        task = asyncio.create_task(self.relay.run(), name="relay")
        task.add_done_callback(_relay_ended)
        self.tasks.append(task)

    async def run_webhooks(self) -> None:
        """Fan the log out to webhook endpoints and send, in this process, until it closes."""
        registry = self.deps.webhooks
        assert isinstance(registry, PostgresWebhooks)  # noqa: S101 - made by open_runtime
        self.webhooks = Worker(self.pool, self.store, registry, source=self.settings.event_source)
        await self.webhooks.start()


def _relay_ended(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("the NATS relay stopped: %s", error, exc_info=error)


async def _migrate(settings: Settings, urls: DatabaseUrls, pool: asyncpg.Pool) -> list[str]:
    """As the owner when there is one (then grant the app its privileges), else as the app."""
    if urls.migration is None:
        async with pool.acquire() as conn:
            if await is_privileged(conn):
                log.warning(
                    "the app connects as a superuser or the event log's owner: it is not least"
                    " privilege (set BRIDGEWORK_MIGRATION_DATABASE_URL; README, Database roles)"
                )
        return await migrate(pool)
    app_role: str = await pool.fetchval("SELECT current_user")
    owner = await create_pool(urls.migration, 1, 1)
    try:
        return await migrate(owner, app_role, settings.auditor_role)
    finally:
        await owner.close()


@contextlib.asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """The database as it is: no migrations, no projections set up. For commands that only
    read (`bridgework verify`), so that an auditor's read-only role may run them."""
    urls = await database_urls(settings)
    pool = await create_pool(urls.app, 1, 4)  # verify hashes pages on several at once
    try:
        if await pool.fetchval("SELECT to_regclass('events')") is None:
            raise SystemExit("the database has no event log yet: run `bridgework migrate` first")
        yield pool
    finally:
        await pool.close()


@contextlib.asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Start everything a command or the server needs, migrated and ready; close it after."""
    urls = await database_urls(settings)
    pool = await create_pool(urls.app, settings.pool_min, settings.pool_max)
    try:
        applied = await _migrate(settings, urls, pool)
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
        as_of = await open_as_of(settings.as_of, urls.app, pool, store, codec)
        tune_garbage_collector()
        runtime = Runtime(
            settings=settings, pool=pool, store=store, deps=deps, runner=runner, as_of=as_of
        )
        try:
            yield runtime
        finally:
            for task in runtime.tasks:
                task.cancel()
            await _closing(
                "background tasks", asyncio.gather(*runtime.tasks, return_exceptions=True)
            )
            if runtime.mailer is not None:
                await _closing("the mailer", runtime.mailer.close())
            await _closing("past views", as_of.close())
            if runtime.webhooks is not None:
                await _closing("the webhook worker", runtime.webhooks.close())
            await _closing("the store", store.close())
    finally:
        if not await _closing("the connection pool", pool.close()):
            pool.terminate()


CLOSE_SECONDS = 10.0
"""How long each part may take to stop before the process goes on without it."""


async def _closing(what: str, stopping: Awaitable[object]) -> bool:
    """Wait for `stopping` for `CLOSE_SECONDS` at most: a shutdown never hangs on one part
    (a connection never handed back, a task that ignores its cancellation); say which."""
    try:
        await asyncio.wait_for(stopping, CLOSE_SECONDS)
    except TimeoutError:
        log.error(  # noqa: TRY400 - a timeout has no traceback worth printing
            "shutting down: %s did not stop within %g s; going on without it", what, CLOSE_SECONDS
        )
        return False
    return True
