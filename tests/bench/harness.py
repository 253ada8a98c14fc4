"""What every benchmark row shares: a scratch database, a row of results, the table.

A row reports our figure beside the limit's (the same work with no store logic) and a
peer's (the eventsourcing library doing the same job), measured in the same run on the same
PostgreSQL, so the ratios, not the noisy absolute numbers, say where we stand.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, AsyncIterator, Iterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import msgspec
from bridgework.infra.database import create_pool, embedded_server
from bridgework.infra.migrate import migrate
from bridgework.infra.store import PostgresEventStore
from bridgework.infra.transcoding import Transcoder
from bridgework.services.ports import EventMetadata, NewEvent, StreamAppend
from bridgework.services.unit_of_work import Deps


@dataclass
class Row:
    """One line of the table. `higher_is_better` decides how ratios read."""

    name: str
    unit: str
    ours: float
    limit: float | None = None
    peer: float | None = None
    target: str = ""
    met: bool | None = None
    higher_is_better: bool = True
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def ratio(self, other: float | None) -> float | None:
        if other in (None, 0) or self.ours == 0:
            return None
        return self.ours / other if self.higher_is_better else other / self.ours


# -- databases ----------------------------------------------------------------------------


@contextlib.contextmanager
def server() -> Iterator[str]:
    """An admin DSN: BRIDGEWORK_BENCH_DATABASE_URL, or an embedded PostgreSQL for this run."""
    configured = os.environ.get("BRIDGEWORK_BENCH_DATABASE_URL")
    if configured:
        yield configured
        return
    with tempfile.TemporaryDirectory(prefix="bridgework-bench-") as data_dir:
        pg = embedded_server(Path(data_dir))
        try:
            yield pg.get_uri("postgres")
        finally:
            pg.cleanup()


def with_database(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


@contextlib.asynccontextmanager
async def scratch_database(admin_url: str, migrated: bool = True) -> AsyncIterator[str]:
    """A fresh database (migrated unless told otherwise), dropped afterwards."""
    name = f"bw_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        dsn = with_database(admin_url, name)
        if migrated:
            pool = await create_pool(dsn, 1, 2)
            try:
                await migrate(pool)
            finally:
                await pool.close()
        yield dsn
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@contextlib.asynccontextmanager
async def bridgework(dsn: str, pool_size: int = 40) -> AsyncIterator[Deps]:
    """Our store and service dependencies on `dsn`."""
    pool = await create_pool(dsn, 2, pool_size)
    store = PostgresEventStore(pool)
    await store.start()
    try:
        yield Deps(store=store, codec=Transcoder(), clock=lambda: datetime.now(UTC), new_id=uuid.uuid4)
    finally:
        await store.close()
        await pool.close()


# -- a realistic event ----------------------------------------------------------------------

METADATA = EventMetadata(
    actor="coordinator:ana.lima",
    correlation_id=uuid.uuid4(),
    causation_id=uuid.uuid4(),
    command_id="enrol-2026-robotics-000123",
    command="EnrollStudent",
)

METADATA_JSON = msgspec.json.encode(METADATA)


def enrolled_payload() -> bytes:
    """The size and shape of a real `StudentEnrolled` payload."""
    return msgspec.json.encode(
        {"student_id": str(uuid.uuid4()), "timestamp": datetime.now(UTC).isoformat()}
    )


def enrolled_event(stream_id: str, version: int) -> NewEvent:
    return NewEvent(
        event_id=uuid.uuid4(),
        stream_id=stream_id,
        stream_version=version,
        event_type="StudentEnrolled",
        schema_version=1,
        payload=enrolled_payload(),
        metadata=METADATA,
    )


def new_stream(count: int = 1, expected: int = 0, stream_id: str | None = None) -> StreamAppend:
    stream_id = stream_id or f"program-{uuid.uuid4()}"
    events = [enrolled_event(stream_id, expected + i + 1) for i in range(count)]
    return StreamAppend(stream_id=stream_id, expected_version=expected, events=events)


# -- measuring ------------------------------------------------------------------------------


def percentile(samples: list[float], p: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def latency_summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {"p50_ms": statistics.median(ms), "p99_ms": percentile(ms, 99)}


def print_profile(profiler: Any, rows: int) -> None:
    """A profile script's report: the functions with the most time of their own, then in all."""
    import io
    import pstats

    for order in ("tottime", "cumtime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(rows)
        print(out.getvalue())


class Timer:
    def __enter__(self) -> Timer:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self.started


# -- the table ------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def table(rows: list[Row]) -> str:
    """A Markdown table: it prints readably and pastes into README.md as is."""
    lines = [
        "| row | unit | ours | limit | ours/limit | peer | ours/peer | target | met | notes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for r in rows:
        met = "–" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(
            f"| {r.name} | {r.unit} | {_fmt(r.ours)} | {_fmt(r.limit)} | {_ratio(r.ratio(r.limit))} "
            f"| {_fmt(r.peer)} | {_ratio(r.ratio(r.peer))} | {r.target} | {met} | {r.notes} |"
        )
    return "\n".join(lines)


def write_json(rows: list[Row], path: Path, meta: dict[str, Any]) -> None:
    body = {"meta": meta, "rows": [asdict(r) | {"vs_limit": r.ratio(r.limit), "vs_peer": r.ratio(r.peer)} for r in rows]}
    path.write_text(json.dumps(body, indent=2, default=str), encoding="utf-8")
