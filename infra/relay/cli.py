"""`bridgework relay nats --url … [--stream NAME]`: the relay as a process of its own."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import signal
from typing import TYPE_CHECKING

from bridgework.infra.relay.relay import Relay
from bridgework.infra.relay.settings import name, nats_url
from bridgework.infra.relay.stream import StreamMismatch
from bridgework.infra.runtime import open_runtime

if TYPE_CHECKING:
    import argparse

    from bridgework.infra.settings import Settings

log = logging.getLogger("bridgework.relay")


def add_relay_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    relay = commands.add_parser(
        "relay",
        parents=[data],
        help="publish every public event to a broker (NATS JetStream)",
        description="Follow the log and publish each public event's CloudEvents JSON to NATS"
        " JetStream, checkpointing in PostgreSQL after every PubAck.",
    )
    relay.add_argument("broker", choices=["nats"], help="the broker (nats: NATS JetStream)")
    relay.add_argument(
        "--url", type=nats_url, help="NATS server(s), comma-separated (BRIDGEWORK_NATS_URL)"
    )
    relay.add_argument(
        "--stream", type=name, help="the stream (BRIDGEWORK_NATS_STREAM; BRIDGEWORK)"
    )
    relay.add_argument(
        "--name", type=name, help="the relay's checkpoint (BRIDGEWORK_RELAY_NAME; nats)"
    )


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
