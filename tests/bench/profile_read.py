"""Where a catch-up read's time goes: cProfile over row 5 (`store.read_after` in batches of
1,000 and `codec.decode` each), beside the same SELECT alone (the row's limit) timed
without the profiler.

    uv run --group bench python tests/bench/profile_read.py [--events 50000]

Uses the embedded PostgreSQL, or the server in BRIDGEWORK_BENCH_DATABASE_URL, like run.py.
Prints both rates, then the functions with the most time of their own and in all.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io

import harness
import read_rows
from bridgework.infra.database import create_pool


async def profile(admin_url: str, events: int) -> None:
    async with (
        harness.scratch_database(admin_url) as dsn,
        harness.scratch_database(admin_url, migrated=False) as peer_dsn,
        harness.bridgework(dsn) as deps,
    ):
        pool = await create_pool(dsn, 2, 4)
        app = read_rows.peer_app(peer_dsn)
        try:
            await read_rows.fill(deps, app, events)
            await read_rows.read_ours(deps)  # untimed: hint bits, caches
            with harness.Timer() as limit:
                count = await read_rows.read_limit(pool)
            with harness.Timer() as ours:
                await read_rows.read_ours(deps)
            profiler = cProfile.Profile()
            profiler.enable()
            await read_rows.read_ours(deps)
            profiler.disable()
        finally:
            app.close()
            await pool.close()
    print(
        f"{count:,} events: ours {count / ours.seconds:,.0f}/s, the SELECT alone"
        f" {count / limit.seconds:,.0f}/s ({limit.seconds / ours.seconds:.2f}x)"
    )
    harness.print_profile(profiler, 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    args = parser.parse_args()
    with harness.server() as admin_url:
        asyncio.run(profile(admin_url, args.events))


if __name__ == "__main__":
    main()
