"""`bridgework serve`, `migrate`, `rebuild`, `demo`, `project` and `deliver`: the commands
that open the runtime (embedded PostgreSQL, migrations, projections) and run it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import TYPE_CHECKING

import uvicorn
from bridgework.infra.auth.cli import administrator_hint
from bridgework.infra.demo import load_demo
from bridgework.infra.runtime import open_runtime
from bridgework.infra.terminal import progress

if TYPE_CHECKING:
    import argparse
    from types import FrameType

    from bridgework.infra.feed_wait import Stopping
    from bridgework.infra.settings import Settings

log = logging.getLogger("bridgework")

STARTUP_FAILURE = 3
"""uvicorn's exit status when the app did not start."""


def serve(settings: Settings, _: argparse.Namespace) -> None:
    """Serve GraphQL at /graphql; uvicorn turns SIGINT/SIGTERM into a graceful shutdown."""
    from bridgework.infra.app import create_app  # noqa: PLC0415 - the schema is slow to build

    app = create_app(settings)
    print(f"Bridgework: GraphiQL at http://{settings.host}:{settings.port}/graphql")  # noqa: T201
    if (hint := administrator_hint(settings)) is not None:
        print(hint, flush=True)  # noqa: T201
    # uvicorn shuts down gracefully, then raises the signal again; exiting normally then lets
    # the embedded PostgreSQL stop with the process instead of outliving it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    # log_config=None: uvicorn logs through the handler `configure_logging` set up.
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_config=None)
    server = Server(config, app.state.stopping)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)


class Server(uvicorn.Server):
    """uvicorn's server, which also tells the app the moment a shutdown begins: requests
    that wait (`GET /feed?wait=`) answer then, instead of holding the shutdown up."""

    def __init__(self, config: uvicorn.Config, stopping: Stopping) -> None:
        super().__init__(config)
        self._stopping = stopping

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._stopping.begin()
        super().handle_exit(sig, frame)


async def migrate(settings: Settings, _: argparse.Namespace) -> None:
    async with open_runtime(settings):
        log.info("database is migrated")


async def rebuild(settings: Settings, args: argparse.Namespace) -> None:
    async with open_runtime(settings) as runtime:
        known = runtime.runner.names()
        names = args.names
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SystemExit(
                f"unknown projection(s): {', '.join(unknown)}; known: {', '.join(known)}"
            )
        events = await runtime.pool.fetchval("SELECT count(*) FROM events")
        for name in names or known:
            with progress(f"rebuild {name}", total=events) as advance:
                count = await runtime.runner.rebuild(name, on_batch=advance)
            log.info("rebuilt %s from position 0 (%d events)", name, count)


async def demo(settings: Settings, _: argparse.Namespace) -> None:
    async with open_runtime(settings) as runtime:
        with progress("demo: commands", unit="commands") as advance:
            head = await load_demo(runtime.deps, on_step=advance)
        await runtime.runner.catch_up()
        log.info("demo data loaded up to position %d; open /graphql to explore", head)


async def project(settings: Settings, _: argparse.Namespace) -> None:
    async with open_runtime(settings) as runtime:
        log.info("projection worker tailing the log: %s", ", ".join(runtime.runner.names()))
        worker = asyncio.create_task(runtime.runner.run(), name="projections")
        runtime.publish_checkpoints()
        loop = asyncio.get_running_loop()
        # A batch cut short rolls back with its checkpoint, so stopping anywhere is safe.
        for stop in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop, worker.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        log.info("projection worker stopped")


async def deliver(settings: Settings, _: argparse.Namespace) -> None:
    async with open_runtime(settings) as runtime:
        await runtime.run_webhooks()
        log.info("webhook worker fanning out the log and sending")
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        # A send cut short is not recorded: its lease brings it round again (same webhook-id).
        for stop in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop, stopped.set)
        await stopped.wait()
        log.info("webhook worker stopped")
