"""Outages and slow batches are not poison: they are waited out or shrunk, and park nothing."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from bridgework.infra.database import create_pool
from bridgework.infra.demo import load_demo
from bridgework.infra.migrate import migrate
from bridgework.infra.store import PostgresEventStore
from bridgework.infra.transcoding import Transcoder
from bridgework.projections.faults import is_transient
from bridgework.projections.registry import default_projections
from bridgework.projections.runner import ProjectionRunner
from bridgework.services.directory import RegisterStudent, register_student
from bridgework.services.unit_of_work import Deps
from support.context import SECRET_KEY, staff
from support.postgres import free_port

E = asyncpg.exceptions


async def test_outages_are_transient_and_bad_data_bugs_and_timeouts_are_not(pool, database_url):
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.PostgresError) as nul:
            await conn.execute("SELECT $1::text", "a\x00b")
        await conn.execute("SET statement_timeout = 10")
        with pytest.raises(asyncpg.PostgresError) as timeout:
            await conn.execute("SELECT pg_sleep(1)")
        await conn.execute("RESET statement_timeout")
        with pytest.raises(asyncpg.PostgresError) as missing:
            await conn.execute("SELECT * FROM no_such_table")
    terminated = []
    for settle in (0, 0.5):  # used at once, asyncpg has not yet seen its connection close
        victim = await asyncpg.connect(database_url)
        await pool.execute("SELECT pg_terminate_backend($1)", victim.get_server_pid())
        await asyncio.sleep(settle)
        with pytest.raises(Exception) as died:  # classified below
            await victim.execute("SELECT 1")
        terminated.append(died.value)
        await victim.close()
    with pytest.raises(OSError) as refused:
        await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{free_port()}/postgres")

    for transient in (
        *terminated,
        refused.value,
        TimeoutError(),
        asyncpg.InterfaceError("connection is closed"),
        E.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        E.CannotConnectNowError("the database system is starting up"),
        E.TooManyConnectionsError("sorry, too many clients already"),
        E.AdminShutdownError("terminating connection due to administrator command"),
        E.DiskFullError("could not extend file: No space left on device"),
        E.SerializationError("could not serialize access"),
        E.DeadlockDetectedError("deadlock detected"),
    ):
        assert is_transient(transient), repr(transient)
    wrapped = RuntimeError("the store gave up")
    wrapped.__cause__ = E.AdminShutdownError("terminating connection")
    assert is_transient(wrapped)

    assert isinstance(nul.value, E.CharacterNotInRepertoireError)
    assert isinstance(timeout.value, E.QueryCanceledError)
    for poison in (
        nul.value,
        timeout.value,
        missing.value,
        E.UniqueViolationError("duplicate key"),
        asyncpg.exceptions._base.DataError("invalid input for query argument $1"),
        ValueError("unknown event type 'Nope' at 7"),
        KeyError("name"),
    ):
        assert not is_transient(poison), repr(poison)


class Sleepy:
    """Sleeps in the database 30 ms per event (five seconds for the slow student) and
    counts each registered student it applies."""

    name, version = "sleepy", 1
    schema = (
        "CREATE TABLE IF NOT EXISTS sleepy_applied"
        " (position bigint PRIMARY KEY, times integer NOT NULL)"
    )
    tables = ("sleepy_applied",)
    handles = frozenset({"StudentRegistered"})

    async def apply_batch(self, conn, events):
        slow = any(e.name == "Slow Poke" for _, e in events)
        await conn.execute("SELECT pg_sleep($1)", 0.03 * len(events) + 5 * slow)
        await conn.executemany(
            "INSERT INTO sleepy_applied VALUES ($1, 1) ON CONFLICT (position)"
            " DO UPDATE SET times = sleepy_applied.times + 1",
            [(s.position,) for s, _ in events],
        )


async def test_batches_that_hit_the_statement_timeout_shrink_until_they_fit(deps, pool, caplog):
    positions = [
        (await register_student(deps, staff(), RegisterStudent(name=f"Kid {i}"))).position
        for i in range(40)
    ]  # 40 x 30 ms = 1.2 s, 20 = 0.6 s: only batches of 13 or fewer fit in 0.4 s
    slow = await register_student(deps, staff(), RegisterStudent(name="Slow Poke"))
    runner = ProjectionRunner(
        pool,
        deps.store,
        deps.codec,
        [Sleepy()],
        batch_size=40,
        statement_timeout=0.4,
        max_attempts=2,
        backoff_base=0.001,
        backoff_cap=0.01,
    )
    await runner.setup()
    assert await runner.catch_up(park=True) == 41

    applied = dict(await pool.fetch("SELECT position, times FROM sleepy_applied"))
    assert applied == dict.fromkeys(positions, 1)
    [parked] = await runner.parked()
    assert parked.position == slow.position
    assert parked.error == "QueryCanceledError: canceling statement due to statement timeout"
    assert parked.attempts == 2
    shrinking = [r.getMessage() for r in caplog.records if "isolating" in r.getMessage()]
    assert shrinking
    assert all("QueryCanceledError" in m for m in shrinking)
    assert runner.stats["sleepy"].transient_faults == 0


@pytest.fixture
async def private(private_postgres):
    """A PostgreSQL of this test's own, migrated, with a store on it."""
    pool = await create_pool(private_postgres.url(), 2, 20)
    store = PostgresEventStore(pool)
    try:
        await migrate(pool)
        await store.start()
        deps = Deps(
            store=store,
            codec=Transcoder(),
            clock=lambda: datetime.now(UTC),
            new_id=uuid.uuid4,
            secret_key=SECRET_KEY,
        )
        yield private_postgres, pool, deps
    finally:
        await store.close()
        await pool.close()


async def once_it_is_back(attempt):
    """What a client does: try again while the database is unavailable."""
    for _ in range(600):
        try:
            return await attempt()
        except Exception as e:
            if not is_transient(e):
                raise
            await asyncio.sleep(0.1)
    pytest.fail("the database did not come back")


async def table_rows(pool) -> dict[str, list]:
    return {
        t: [tuple(r) for r in await pool.fetch(f"SELECT * FROM {t} ORDER BY 1, 2")]  # noqa: S608
        for p in default_projections()
        for t in p.tables
    }


@pytest.mark.slow
async def test_a_database_restart_while_following_parks_nothing_and_every_view_catches_up(
    private, caplog
):
    caplog.set_level(logging.INFO, logger="bridgework.projections")
    server, pool, deps = private
    await load_demo(deps)
    runner = ProjectionRunner(
        pool,
        deps.store,
        deps.codec,
        default_projections(),
        poll_interval=0.2,
        batch_size=20,
        max_attempts=2,
        backoff_base=0.01,
    )
    await runner.setup()
    following = asyncio.create_task(runner.run())
    try:
        await asyncio.sleep(0.1)  # catching up, batch after batch
        await asyncio.to_thread(server.restart, 2.0)  # longer than a poll: every view meets it
        later = await once_it_is_back(
            lambda: register_student(deps, staff(), RegisterStudent(name="After"))
        )
        deadline = asyncio.get_running_loop().time() + 120
        while {cp.position for cp in (await runner.checkpoints()).values()} != {later.position}:
            assert asyncio.get_running_loop().time() < deadline, await runner.checkpoints()
            await asyncio.sleep(0.1)
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)

    assert await runner.parked(include_resolved=True) == []
    assert all(s.transient_faults > 0 for s in runner.stats.values()), runner.stats
    assert sum(s.failures + s.parked for s in runner.stats.values()) == 0
    ours = [r for r in caplog.records if r.name == "bridgework.projections"]
    assert [r for r in ours if r.levelno >= logging.ERROR] == []
    down = [r for r in ours if "database unavailable" in r.getMessage()]
    assert down
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in down)
    assert any("available again" in r.getMessage() for r in ours if r.levelno == logging.INFO)

    live = await table_rows(pool)
    for name in runner.names():
        await runner.rebuild(name)
    assert await table_rows(pool) == live
