"""Where the program query's time goes (row 8): the real app in-process, the query of a
program with 100 enrolled students sent again and again, under cProfile; beside it the same
view read and encoded the plain route's way (its five read functions, then JSON).

    uv run --group bench python tests/bench/profile_graphql.py [--requests 400]

Uses the embedded PostgreSQL, or the server in BRIDGEWORK_BENCH_DATABASE_URL, like run.py.
Prints the time per request of each phase (timed without the profiler), then the functions
with the most time of their own and the most time in all.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import harness
import httpx
import service_rows
from bridgework.graphql.context import context_getter
from bridgework.graphql.schema import schema
from bridgework.infra.app import create_app
from bridgework.infra.settings import Settings
from bridgework.projections import directory, outcomes
from bridgework.projections import enrolment as seats
from litestar.datastructures import Headers

from graphql import parse, validate


async def plain_view(pool: Any, program_id: UUID) -> bytes:
    """What the plain route of row 8 does for one request, minus HTTP."""
    view = (await directory.programs(pool, [program_id]))[program_id]
    enrolment = (await seats.program_enrolments(pool, [program_id]))[program_id]
    entries = (await seats.enrolments_of_programs(pool, [program_id])).get(program_id, [])
    names = await directory.students(pool, [e.student_id for e in entries])
    outcome = (await outcomes.program_outcomes(pool, [program_id]))[program_id]
    body = {"name": view.name, "seats": enrolment.seats_left, "outcome": outcome.completions,
            "entries": [{"status": e.status, "name": names[e.student_id].name} for e in entries]}
    return json.dumps(body).encode()


async def per_request(n: int, step: Any) -> float:
    started = time.perf_counter()
    for _ in range(n):
        await step()
    return (time.perf_counter() - started) / n * 1e6


async def profile(admin_url: str, requests: int, dump: str | None) -> None:
    async with harness.scratch_database(admin_url) as dsn:
        async with harness.bridgework(dsn) as deps:
            [shown], _ = await service_rows.seed(deps, 1, 100, 100, enrolled=100)
        keys = Path(tempfile.mkdtemp(prefix="bridgework-profile-"))
        settings = Settings(database_url=dsn, poll_interval_seconds=0.2, data_dir=keys)
        app = create_app(settings)
        auth = {"authorization": service_rows.Tokens(settings).bearer()}  # as every client sends
        body = {"query": service_rows.QUERY, "variables": {"id": str(shown)}}
        transport = httpx.ASGITransport(app=app)
        async with (
            app.lifespan(),
            httpx.AsyncClient(transport=transport, base_url="http://bench", headers=auth) as client,
        ):
            while (await client.post("/graphql", json=body)).json()["data"]["program"] is None:
                await asyncio.sleep(0.2)
            pool = app.state.api.pool

            async def http() -> None:
                r = await client.post("/graphql", json=body)
                assert "errors" not in r.json(), r.text

            async def plain() -> None:
                await plain_view(pool, shown)

            async def execute() -> None:
                context = await context_getter(app.state, Headers(auth))
                result = await schema.execute(service_rows.QUERY, body["variables"], context)
                assert result.errors is None, result.errors

            async def encode() -> None:
                json.dumps(reply, separators=(",", ":"))

            reply = (await client.post("/graphql", json=body)).json()
            document = parse(service_rows.QUERY)
            await per_request(20, http)
            timings = {
                "HTTP request, whole (httpx's ASGI client included)": await per_request(requests, http),
                "schema.execute (parse and validate cached)": await per_request(requests, execute),
                "json.dumps of the reply": await per_request(requests, encode),
                "plain route's reads + json.dumps, no HTTP": await per_request(requests, plain),
                "graphql-core parse (uncached)": await per_request(requests, _sync(lambda: parse(service_rows.QUERY))),
                "graphql-core validate (uncached)": await per_request(requests, _sync(lambda: validate(schema._schema, document))),
            }
            for name, micros in timings.items():
                print(f"{micros:9,.0f} µs  {name}")
            profiler = cProfile.Profile()
            profiler.enable()
            await per_request(requests, http)
            profiler.disable()
    if dump:
        profiler.dump_stats(dump)  # for pstats' print_callers / snakeviz
    harness.print_profile(profiler, 35)


def _sync(fn: Any) -> Any:
    async def step() -> None:
        fn()

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--dump", help="also write the raw profile to this file")
    args = parser.parse_args()
    with harness.server() as admin_url:
        asyncio.run(profile(admin_url, args.requests, args.dump))


if __name__ == "__main__":
    main()
