"""Where a command's time goes: cProfile over row 12 (`enroll_student`, 8 writers, each
command on another program and student), end to end through the service layer and the store.

    uv run --group bench python tests/bench/profile_command.py [--writers 8] [--seconds 6]

Uses the embedded PostgreSQL, or the server in BRIDGEWORK_BENCH_DATABASE_URL, like run.py.
Prints the functions with the most time of their own, then the most time in all.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io

import command_rows
import harness
import service_rows
import store_rows
from bridgework.services.enrolment import EnrollStudent, enroll_student


async def profile(admin_url: str, writers: int, seconds: float) -> None:
    programs = 400
    async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:
        progs, kids = await service_rows.seed(deps, programs, 100_000, 60)
        pairs = iter(command_rows.distinct_pairs(progs, kids))

        async def step() -> None:
            program, student = next(pairs)
            await enroll_student(deps, service_rows.ctx(), EnrollStudent(program_id=program, student_id=student))

        await store_rows.for_a_while(writers, 1, step)  # warm up: pool, statements, cache
        profiler = cProfile.Profile()
        profiler.enable()
        n, _ = await store_rows.for_a_while(writers, seconds, step)
        profiler.disable()
    print(f"{n / seconds:,.0f} commands/s with {writers} writers under the profiler")
    harness.print_profile(profiler, 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=6)
    args = parser.parse_args()
    with harness.server() as admin_url:
        asyncio.run(profile(admin_url, args.writers, args.seconds))


if __name__ == "__main__":
    main()
