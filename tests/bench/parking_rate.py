"""What poison costs a catch-up (not part of the test run).

    uv run python tests/bench/parking_rate.py [STUDENTS=20000] [BATCH=500]

Writes STUDENTS student registrations straight through the store, then times a catch-up of
every projection on a clean log (strict `catch_up()`, which any runner version has), and on
the same log with one registration whose name holds a NUL in the middle (`park=True`,
backoff of milliseconds so only the isolation itself is measured), on an embedded PostgreSQL.
"""

import asyncio, sys, tempfile, time, uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from bridgework.infra.database import create_pool, embedded_server
from bridgework.infra.migrate import migrate
from bridgework.infra.store import PostgresEventStore
from bridgework.infra.transcoding import Transcoder
from bridgework.domain.student import Student
from bridgework.services.ports import EventMetadata, StreamAppend
from bridgework.projections.registry import default_projections
from bridgework.projections.runner import ProjectionRunner

AT = datetime.now(UTC)
META = EventMetadata(actor="bench", correlation_id=uuid.uuid4(), causation_id=uuid.uuid4(), command_id="x", command="x")


async def log_of(dsn, codec, n, poisoned):
    pool = await create_pool(dsn, 2, 20)
    await migrate(pool)
    store = PostgresEventStore(pool)
    names = [f"S{i}" for i in range(n)]
    if poisoned:
        names[n // 2] = "Nu\x00l"
    for start in range(0, n, 1000):
        appends = []
        for name in names[start:start + 1000]:
            s = Student.register(id=uuid.uuid4(), name=name, grade=5, school_id=None, at=AT)
            [e] = s.collect_events()
            appends.append(StreamAppend(stream_id=Student.stream_id(s.id), expected_version=0,
                                        events=[codec.encode(e, event_id=uuid.uuid4(), metadata=META)]))
        await store.append(appends)
    return pool, store


async def main(admin, n, batch):
    codec = Transcoder()
    for poisoned in (False, True):
        db = f"bench_{uuid.uuid4().hex[:8]}"
        await admin.execute(f'CREATE DATABASE "{db}"')
        pool, store = await log_of(urlunsplit(urlsplit(admin.dsn)._replace(path=f"/{db}")), codec, n, poisoned)
        kw = {"max_attempts": 3, "backoff_base": 0.001, "backoff_cap": 0.005} if poisoned else {}
        runner = ProjectionRunner(pool, store, codec, default_projections(), batch_size=batch, **kw)
        await runner.setup()
        t = time.perf_counter()
        read = await (runner.catch_up(park=True) if poisoned else runner.catch_up())
        el = time.perf_counter() - t
        extra = ""
        if poisoned:
            failures = sum(s.failures for s in runner.stats.values())
            extra = f"; {len(await runner.parked())} parked, {failures} failed batches"
        print(f"{'one NUL' if poisoned else 'clean'}: {read} event applications in {el:.2f} s = {read / el:,.0f}/s{extra}")
        await pool.close()


class Admin:
    def __init__(self, dsn):
        self.dsn = dsn

    async def execute(self, sql):
        import asyncpg
        conn = await asyncpg.connect(self.dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()


args = [int(a) for a in sys.argv[1:3]] + [20000, 500][len(sys.argv[1:3]):]
with tempfile.TemporaryDirectory() as d:
    server = embedded_server(Path(d))
    try:
        asyncio.run(main(Admin(server.get_uri("postgres")), *args))
    finally:
        server.cleanup()
