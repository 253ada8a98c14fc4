"""Where an append's time goes: cProfile over row 1 (one event per append) at 8 writers, or
row 2 with `--events 100 --writers 4` (a hundred events per append).

    uv run --group bench python tests/bench/profile_append.py [--writers 8] [--seconds 8] [--events 1]

Uses the embedded PostgreSQL, or the server in BRIDGEWORK_BENCH_DATABASE_URL, like run.py.
Prints the functions with the most time of their own, then the most time in all.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io

import harness
import store_rows


async def profile(admin_url: str, writers: int, seconds: float, events: int) -> None:
    async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:

        def step():
            return deps.store.append([harness.new_stream(events)])

        await store_rows.for_a_while(writers, 1, step)  # warm up: pool, statement cache
        profiler = cProfile.Profile()
        profiler.enable()
        n, _ = await store_rows.for_a_while(writers, seconds, step)
        profiler.disable()
    print(
        f"{n / seconds:,.0f} appends/s ({n * events / seconds:,.0f} events/s) of {events} event(s)"
        f" with {writers} writers under the profiler"
    )
    harness.print_profile(profiler, 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--events", type=int, default=1, help="events per append")
    args = parser.parse_args()
    with harness.server() as admin_url:
        asyncio.run(profile(admin_url, args.writers, args.seconds, args.events))


if __name__ == "__main__":
    main()
