"""`bridgework relay nats --url … [--stream NAME]`: the relay as a process of its own."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import signal
from typing import TYPE_CHECKING

from bridgework.infra.relay.relay import Relay
from bridgework.infra.relay.stream import StreamMismatch
from bridgework.infra.runtime import open_runtime

if TYPE_CHECKING:
    import argparse

    from bridgework.infra.settings import Settings

log = logging.getLogger("bridgework.relay")


async def relay_command(settings: Settings, args: argparse.Namespace) -> None:
    given = {
        field: value
        for field, option in (("nats_url", "url"), ("stream", "stream"), ("name", "name"))
        if (value := getattr(args, option, None)) is not None
    }
    chosen = dataclasses.replace(settings.relay, **given)
    if chosen.nats_url is None:
        raise SystemExit("bridgework relay nats: give --url or BRIDGEWORK_NATS_URL")
    async with open_runtime(settings) as runtime:
        relay = Relay(
            runtime.pool,
            runtime.store,
            chosen,
            source=settings.event_source,
            poll_seconds=settings.poll_interval_seconds,
        )
        worker = asyncio.create_task(relay.run(), name="relay")
        loop = asyncio.get_running_loop()
        # Stopping mid-batch is safe: the checkpoint moves only after the acks.
        for stop in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop, worker.cancel)
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        except StreamMismatch as e:
            raise SystemExit(f"bridgework relay nats: {e}") from None
        log.info("relay %s stopped", chosen.name)
