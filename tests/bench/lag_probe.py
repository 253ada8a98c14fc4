"""Commit→visible lag across a PostgreSQL restart, and /health under 200 open subscriptions.

    uv run python tests/bench/lag_probe.py [--samples 30] [--subscribers 200] [--rate 20] [--only-health]

Not part of pytest. Starts a PostgreSQL of its own (tests/support/postgres.py) and two real
`bridgework serve` processes on it: A runs the projections and takes the writes, B only
serves. For each sample a mutation is sent to A and the time until its event arrives on a
live `events` subscription is measured, on A (same process) and on B (woken only by NOTIFY):
this is mutation sent → event received, an upper bound of commit→visible. Measured before
the restart, right after it (while LISTEN is coming back), and 6 s after it. Then 200
subscriptions are opened on A while a writer appends, and `/health` latency is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).parents[1]))

import asyncpg  # noqa: E402
from support.postgres import PrivatePostgres  # noqa: E402
from support.serve import Serve, environment  # noqa: E402

REGISTER = """mutation($name: String!, $key: String!) {
  registerOrganization(input: {name: $name, kind: SCHOOL, idempotencyKey: $key}) {
    ... on OrganizationRegistered { position } } }"""
SUBSCRIBE = 'subscription { events(types: ["OrganisationRegistered"]) { position cursor } }'
RESUME = 'subscription($after: String) { events(after: $after, types: ["OrganisationRegistered"]) { position cursor } }'
SAMPLE_TIMEOUT = 40.0


class Subscriber:
    """One graphql-transport-ws subscription that notes when each position arrives; if it
    ends or fails (the old behaviour on a database restart) it resubscribes from its cursor."""

    def __init__(self, url: str, authorization: str) -> None:
        self.url = url
        self.authorization = authorization
        self.arrived: dict[int, float] = {}
        self.cursor: str | None = None
        self.ended = 0
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            try:
                async with websockets.connect(self.url, subprotocols=["graphql-transport-ws"]) as ws:
                    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": self.authorization}}))
                    await ws.recv()
                    query = SUBSCRIBE if self.cursor is None else RESUME
                    await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                              "payload": {"query": query, "variables": {"after": self.cursor}}}))
                    async for raw in ws:
                        message = json.loads(raw)
                        if message["type"] == "ping":
                            await ws.send(json.dumps({"type": "pong"}))
                            continue
                        if message["type"] != "next" or "errors" in message["payload"]:
                            break
                        event = message["payload"]["data"]["events"]
                        self.arrived[event["position"]] = time.monotonic()
                        self.cursor = event["cursor"]
            except (OSError, websockets.WebSocketException):
                pass
            self.ended += 1
            await asyncio.sleep(0.2)


async def write(http: httpx.AsyncClient, url: str, name: str) -> tuple[int, float]:
    """(position, time sent), retrying with the same key until the database answers."""
    key, sent = str(uuid.uuid4()), time.monotonic()
    while time.monotonic() < sent + SAMPLE_TIMEOUT:
        try:
            response = await http.post(url, json={"query": REGISTER, "variables": {"name": name, "key": key}})
            body = response.json()
            if "errors" not in body:
                return body["data"]["registerOrganization"]["position"], sent
        except (httpx.HTTPError, ValueError):
            pass
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no answer to a mutation for {SAMPLE_TIMEOUT} s")


async def sample(http, a: Serve, subscribers: dict[str, Subscriber], count: int) -> dict[str, list[float]]:
    lags: dict[str, list[float]] = {name: [] for name in subscribers}
    for i in range(count):
        position, sent = await write(http, f"{a.url}/graphql", f"Probe {i}")
        deadline = time.monotonic() + SAMPLE_TIMEOUT
        for name, s in subscribers.items():
            while position not in s.arrived and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
            lags[name].append(s.arrived.get(position, deadline) - sent)
        await asyncio.sleep(0.05)
    return lags


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms   max {ordered[-1] * 1000:7.1f} ms"


def rss_mb(serve: Serve) -> int:
    for line in Path(f"/proc/{serve.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return -1


async def transactions(pg: PrivatePostgres) -> int:
    """Transactions the database has run so far (every statement outside one is one)."""
    conn = await asyncpg.connect(pg.url())
    try:
        return await conn.fetchval("SELECT xact_commit FROM pg_stat_database WHERE datname = 'bridgework'")
    finally:
        await conn.close()


async def health_under_subscriptions(
    http, a: Serve, pg: PrivatePostgres, count: int, requests: int, rate: float
) -> None:
    subs = [Subscriber(a.ws_url, a.authorization) for _ in range(count)]
    await asyncio.sleep(3)  # all connected and caught up
    written: list[int] = []
    transactions_before = await transactions(pg)

    async def writer(n: int) -> None:
        """Up to `rate` mutations a second in all, from four writers."""
        i = 0
        while True:
            started = time.monotonic()
            written.append((await write(http, f"{a.url}/graphql", f"Load {n}.{i}"))[0])
            i += 1
            await asyncio.sleep(max(0.0, 4 / rate - (time.monotonic() - started)))

    writing = [asyncio.create_task(writer(n)) for n in range(4)]
    latencies = []
    started_all = time.monotonic()
    try:
        async with httpx.AsyncClient(timeout=60) as probe:  # its own connection: no queueing
            for _ in range(requests):
                started = time.monotonic()
                (await probe.get(f"{a.url}/health")).raise_for_status()
                latencies.append(time.monotonic() - started)
                await asyncio.sleep(0.02)
    finally:
        for w in writing:
            w.cancel()
        elapsed = time.monotonic() - started_all
        await asyncio.gather(*writing, return_exceptions=True)
        run = await transactions(pg) - transactions_before
        await asyncio.sleep(2)
        delivered = sum(1 for s in subs for p in written if p in s.arrived)
        for s in subs:
            s.task.cancel()
        await asyncio.gather(*(s.task for s in subs), return_exceptions=True)
    print(f"/health with {count} open subscriptions, writes at up to {rate:g}/s: {summary(latencies)}")
    print(f"  {len(written) / elapsed:.1f} writes/s done; {delivered} of {len(written) * count} events"
          f" delivered to the subscriptions within 2 s of the end; serve's RSS {rss_mb(a)} MB")
    print(f"  {run / elapsed:.0f} database transactions/s ({run / max(1, len(written)):.0f} per write)")


async def lag_across_a_restart(http, a: Serve, b: Serve, pg: PrivatePostgres, samples: int) -> None:
    subscribers = {"same process": Subscriber(a.ws_url, a.authorization), "other process": Subscriber(b.ws_url, b.authorization)}
    await asyncio.sleep(2)
    print(f"mutation sent → event on a live subscription, {samples} samples each")
    for name, lags in (await sample(http, a, subscribers, samples)).items():
        print(f"  before restart, {name:13}: {summary(lags)}")
    await asyncio.to_thread(pg.restart, 1.0)
    for name, lags in (await sample(http, a, subscribers, samples)).items():
        print(f"  just after it,  {name:13}: {summary(lags)}")
    await asyncio.sleep(6)
    for name, lags in (await sample(http, a, subscribers, samples)).items():
        print(f"  6 s after it,   {name:13}: {summary(lags)}")
    for name, s in subscribers.items():
        print(f"  subscriptions that ended and were reopened ({name}): {s.ended}")
        s.task.cancel()


async def main(args: argparse.Namespace) -> None:
    root = Path(tempfile.mkdtemp(prefix="lag-probe-"))
    pg = PrivatePostgres()
    pg.start()
    try:
        env = environment(DATABASE_URL=pg.create_database())
        with Serve(root / "a", env=env) as a, Serve(root / "b", env=env | {"BRIDGEWORK_RUN_PROJECTIONS": "false"}) as b:
            async with httpx.AsyncClient(timeout=60, headers=a.headers) as http:
                if not args.only_health:
                    await lag_across_a_restart(http, a, b, pg, args.samples)
                await health_under_subscriptions(http, a, pg, args.subscribers, args.health_requests, args.rate)
    finally:
        pg.close()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--health-requests", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20, help="writes/s while /health is measured")
    parser.add_argument("--only-health", action="store_true", help="skip the lag samples")
    asyncio.run(main(parser.parse_args()))
