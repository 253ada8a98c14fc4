"""Feed rows: reading the log as CloudEvents over HTTP.

19. Feed read: one consumer pages through a pre-filled log of real events (`StudentEnrolled`,
    written through the domain) with `GET /feed?limit=1000` on a real `bridgework serve`
    process (an administrator's token, so every event is in scope; projections off, so
    nothing else reads the log meanwhile), each request after the last one's cursor; events/s
    beside the limit: the same pages of the same rows read with a plain `SELECT` over asyncpg
    from this process (no envelopes, no HTTP). Target: ≥ 50,000 events/s.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import harness
import httpx
import msgspec
from bridgework.infra import crypto, statements
from service_rows import BRIDGEWORK, free_port, process, seed

sys.path.insert(0, str(Path(__file__).parents[1]))
from support.auth import Tokens  # noqa: E402

PAGE = 1000
TARGET = 50_000
PLAIN = f"""
SELECT {statements.COLUMNS} FROM events
WHERE (tx_id, position) > ($1::xid8, $2::bigint)
  AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY tx_id, position LIMIT $3
"""  # noqa: S608 - the only interpolation is the constant column list


async def plain_read(dsn: str) -> tuple[int, float]:
    """Every row, a page at a time, as the feed pages: (rows, seconds)."""
    conn = await asyncpg.connect(dsn)
    try:
        after, rows = (0, 0), 0
        started = time.perf_counter()
        while page := await conn.fetch(PLAIN, *after, PAGE):
            rows += len(page)
            after = (page[-1]["tx_id"], page[-1]["position"])
        return rows, time.perf_counter() - started
    finally:
        await conn.close()


async def feed_read(base: str, auth: dict[str, str]) -> tuple[int, float]:
    """Every event through `GET /feed`, a page at a time: (events, seconds)."""
    async with httpx.AsyncClient(base_url=base, headers=auth, timeout=60) as client:
        after: dict[str, str] = {}
        events = 0
        started = time.perf_counter()
        while True:
            response = await client.get("/feed", params={"limit": str(PAGE)} | after)
            response.raise_for_status()
            batch = msgspec.json.decode(response.content)  # the consumer's cost, kept small
            if not batch:
                return events, time.perf_counter() - started
            events += len(batch)
            after = {"after": response.headers["bridgework-next-cursor"]}


async def feed_row(admin_url: str, *, quick: bool) -> harness.Row:
    programs = 20 if quick else 100
    async with harness.scratch_database(admin_url) as dsn:
        async with harness.bridgework(dsn) as deps:
            await seed(deps, programs, 2500, 2500, enrolled=2500)
        env = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGEWORK_")}
        env |= {"BRIDGEWORK_KEK": crypto.process_keks().current.encoded()}
        port = free_port()
        env |= {"DATABASE_URL": dsn, "BRIDGEWORK_PORT": str(port)}
        env |= {"BRIDGEWORK_RUN_PROJECTIONS": "false"}
        with tempfile.TemporaryDirectory() as tmp:
            env |= {"BRIDGEWORK_DATA_DIR": tmp}
            auth = {"Authorization": Tokens(Path(tmp)).bearer()}
            base = f"http://127.0.0.1:{port}"
            log = Path(tmp, "serve.log")
            with process([str(BRIDGEWORK), "serve"], env, f"{base}/health", log):
                await feed_read(base, auth)  # warm: statements prepared, pages cached
                events, seconds = await feed_read(base, auth)
        await plain_read(dsn)
        rows, plain_seconds = await plain_read(dsn)
    ours, limit = events / seconds, rows / plain_seconds
    return harness.Row(
        name=f"19. feed read, GET /feed?limit={PAGE} (real server)",
        unit="events/s",
        ours=ours,
        limit=limit,
        target=f"≥ {TARGET:,} events/s",
        met=ours >= TARGET and events == rows,
        notes=f"{events:,} events in {seconds:.2f} s, one consumer paging; plain SELECT of "
        f"the same pages {plain_seconds:.2f} s",
        extra={"events": events, "rows": rows, "seconds": seconds, "plain_seconds": plain_seconds},
    )


async def run(admin_url: str, *, quick: bool) -> list[harness.Row]:
    return [await feed_row(admin_url, quick=quick)]
