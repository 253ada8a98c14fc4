"""Where row 8c's time goes: 50 `enrollStudent` at once into one program, on a real
`bridgework serve` process, with the client started three ways and the server optionally
under cProfile.

    uv run --group bench python tests/bench/profile_contended.py [--rounds 5] [--profile]

Client modes, each on fresh programs of the same shape as row 8c:
- `fresh`: each request builds its own httpx client inside the timed coroutine (row 8c before
  2026-12-02): one client's set-up (an SSL context, about 10 ms of CPU) runs on the same event
  loop while the other requests are in flight, so it lands in their latencies.
- `built`: the 50 clients are built first, then every request connects and posts at once
  (row 8c now: each request still opens a connection of its own).
- `warm`: the 50 connections are open before the start, as 50 open browser tabs would be.

The server runs through a bench-only wrapper that counts how many commands each group
commit appended (`Group.commit`) and, with --profile, runs cProfile between two SIGUSR1
signals sent around the `built` rounds; the wrapper prints the stats when it stops.
Prints p50/p99 per mode, the client process's CPU seconds per round, and the group sizes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import harness
import httpx
import service_rows
from bridgework.infra import crypto

sys.path.insert(0, str(Path(__file__).parents[1]))
from support.auth import Tokens  # noqa: E402

WRAPPER = textwrap.dedent('''
    import cProfile, io, os, pstats, signal, sys
    from bridgework.services import group

    sizes = []
    commit = group.Group.commit

    async def counted(self, deps, session):
        sizes.append(len(self.members))
        return await commit(self, deps, session)

    group.Group.commit = counted
    profile = cProfile.Profile()
    state = {"on": False}

    def toggle(*_):
        if state["on"]:
            profile.disable()
        else:
            sizes.clear()
            profile.enable()
        state["on"] = not state["on"]

    signal.signal(signal.SIGUSR1, toggle)
    from bridgework.infra.cli import main
    sys.argv = ["bridgework", "serve"]
    try:
        main()
    finally:
        print("GROUPS", len(sizes), "sizes", sorted(sizes, reverse=True), flush=True)
        if os.environ.get("PROFILE_CONTENDED"):
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out)
            stats.sort_stats("tottime").print_stats(35)
            stats.sort_stats("cumulative").print_stats(60)
            print(out.getvalue(), flush=True)
''')


async def race(url: str, program: uuid.UUID, students: list[uuid.UUID], headers: dict[str, str],
               mode: str) -> list[float]:
    latencies: list[float] = []

    async def post(client: httpx.AsyncClient, student: uuid.UUID) -> None:
        await service_rows.enrol(client, url, program, student, latencies)

    if mode == "fresh":
        async def own(student: uuid.UUID) -> None:
            async with httpx.AsyncClient(timeout=60, headers=headers) as client:
                await post(client, student)

        await asyncio.gather(*(own(s) for s in students))
        return latencies
    clients = [httpx.AsyncClient(timeout=60, headers=headers) for _ in students]
    try:
        if mode == "warm":
            health = url.removesuffix("/graphql") + "/health"
            await asyncio.gather(*(c.get(health) for c in clients))
        await asyncio.gather(*(post(c, s) for c, s in zip(clients, students, strict=True)))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return latencies


async def main(admin_url: str, rounds: int, profile: bool) -> None:
    modes = ("fresh", "built", "warm")
    async with harness.scratch_database(admin_url) as dsn:
        async with harness.bridgework(dsn) as deps:
            programs, students = await service_rows.seed(
                deps, rounds * len(modes), service_rows.RACE_SEATS, service_rows.RACERS)
        port = service_rows.free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGEWORK_")}
        env |= {"BRIDGEWORK_KEK": crypto.process_keks().current.encoded()}
        env |= {"DATABASE_URL": dsn, "BRIDGEWORK_PORT": str(port), "BRIDGEWORK_POOL_MAX": "20",
                "BRIDGEWORK_MUTATIONS_PER_MINUTE": "100000000", "BRIDGEWORK_MUTATION_BURST": "100000"}
        if profile:
            env["PROFILE_CONTENDED"] = "1"
        with tempfile.TemporaryDirectory() as tmp:
            env["BRIDGEWORK_DATA_DIR"] = tmp
            auth = {"Authorization": Tokens(Path(tmp)).bearer()}
            Path(tmp, "wrapper.py").write_text(WRAPPER)
            base = f"http://127.0.0.1:{port}"
            log = Path(tmp, "serve.log")
            with service_rows.process([sys.executable, str(Path(tmp, "wrapper.py"))], env, f"{base}/health", log) as server:
                # one warm-up request so imports and caches are not in the first round
                await race(f"{base}/graphql", programs[0], students[:1], auth, "built")
                for i, mode in enumerate(modes):
                    if mode == "built" and profile:
                        os.kill(server.pid, signal.SIGUSR1)
                    latencies: list[float] = []
                    cpu = 0.0
                    for program in programs[i * rounds + (1 if i == 0 else 0):(i + 1) * rounds]:
                        before = time.process_time()
                        latencies += await race(f"{base}/graphql", program, students, auth, mode)
                        cpu += time.process_time() - before
                    if mode == "built" and profile:
                        os.kill(server.pid, signal.SIGUSR1)
                    s = harness.latency_summary(latencies)
                    n = len(latencies) // service_rows.RACERS
                    print(f"{mode:6} p50 {s['p50_ms']:7.1f} ms  p99 {s['p99_ms']:7.1f} ms  "
                          f"client CPU {1000 * cpu / n:6.1f} ms a round ({n} rounds)", flush=True)
            text = log.read_text()
            print(text[text.find("GROUPS"):] if "GROUPS" in text else text[-3000:])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile the server during the `built` rounds")
    args = parser.parse_args()
    with harness.server() as admin_url:
        asyncio.run(main(admin_url, args.rounds, args.profile))
