"""How soon `/ready` names an outside transaction that holds every reader back, and turns 503.

    uv run python tests/bench/held_back_probe.py [--threshold 5] [--runs 3]

Not part of pytest. Starts a PostgreSQL of its own and a real `bridgework serve` on it with
BRIDGEWORK_READY_MAX_HELD_BACK=--threshold; another application opens a transaction that takes
an id and stays idle; `/ready` is polled every 50 ms. Prints, per run, the seconds from the
transaction taking its id to `/ready` naming its pid, and to `/ready` answering 503; then ends
the transaction and the time until `/ready` is 200 again.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parents[1]))

import asyncpg  # noqa: E402
from support.postgres import PrivatePostgres, own_folder  # noqa: E402
from support.serve import Serve, environment  # noqa: E402


async def until(predicate, client: httpx.AsyncClient, url: str) -> tuple[float, dict]:
    start = time.monotonic()
    while True:
        response = await client.get(url)
        if predicate(response):
            return time.monotonic() - start, response.json()
        await asyncio.sleep(0.05)


async def run(server: Serve, pg: PrivatePostgres) -> tuple[float, float, float]:
    other = await asyncpg.connect(pg.url("bridgework"), server_settings={"application_name": "reporting"})
    async with httpx.AsyncClient(timeout=10) as client:
        url = f"{server.url}/ready"
        await until(lambda r: r.status_code == 200, client, url)
        tx = other.transaction()
        await tx.start()
        await other.fetchval("SELECT pg_current_xact_id()")
        pid = other.get_server_pid()
        named, body = await until(
            lambda r: (r.json().get("held_back_by") or {}).get("pid") == pid, client, url
        )
        refused, body = await until(lambda r: r.status_code == 503, client, url)
        await tx.rollback()
        back, _ = await until(lambda r: r.status_code == 200, client, url)
    await other.close()
    return named, named + refused, back


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threshold", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pg = PrivatePostgres()
    pg.start()
    try:
        env = environment(
            DATABASE_URL=pg.create_database(),
            BRIDGEWORK_READY_MAX_HELD_BACK=str(args.threshold),
        )
        with own_folder() as folder, Serve(folder, env=env) as server:
            for i in range(args.runs):
                named, refused, back = await run(server, pg)
                print(  # noqa: T201
                    f"run {i + 1}: named in /ready after {named:.2f} s, 503 after {refused:.2f} s"
                    f" (threshold {args.threshold:g} s), 200 again {back:.2f} s after it ended"
                )
    finally:
        pg.close()


if __name__ == "__main__":
    asyncio.run(main())
