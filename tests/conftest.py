"""Real PostgreSQL for every test that needs one: embedded (pgserver) unless
`BRIDGEWORK_TEST_DATABASE_URL` points at a server. Each test gets its own fresh database,
copied from a template migrated once per run, and dropped afterwards."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import pytest
from bridgework.infra.database import create_pool, embedded_server
from bridgework.infra.memory_store import MemoryEventStore
from bridgework.infra.migrate import migrate
from bridgework.infra.roles import APP, AUDITOR, OWNER, as_role, bootstrap
from bridgework.infra.store import PostgresEventStore
from support.deps import deps_on
from support.jetstream import NatsServer, delete_stream
from support.postgres import PrivatePostgres, with_database

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from bridgework.services.unit_of_work import Deps


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """An administrative DSN on the test server."""
    configured = os.environ.get("BRIDGEWORK_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    with tempfile.TemporaryDirectory(prefix="bridgework-test-") as data_dir:
        server = embedded_server(Path(data_dir))
        try:
            yield server.get_uri("postgres")
        finally:
            server.cleanup()  # before the folder goes: pg_ctl needs it to stop the server


@pytest.fixture(scope="session")
async def template_database(server_url: str) -> AsyncIterator[str]:
    name = f"bw_template_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = with_database(server_url, name)
        await bootstrap(url, name)
        pool = await create_pool(as_role(url, OWNER), 1, 2)
        try:
            await migrate(pool, APP, AUDITOR)
        finally:
            await pool.close()
        yield name
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def admin_database_url(server_url: str, template_database: str) -> AsyncIterator[str]:
    """A fresh, migrated, empty database for this test, as the server's superuser: for
    tests that tamper with the log as only a superuser can (infra/roles.py)."""
    name = f"bw_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
        url = with_database(server_url, name)
        await bootstrap(url, name)  # a copy does not inherit the template's database grants
        yield url
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def database_url(admin_database_url: str) -> str:
    """This test's database as the app connects to it: the least-privilege app role."""
    return as_role(admin_database_url, APP)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, 2, 20)
    yield pool
    await pool.close()


@pytest.fixture
async def admin_pool(admin_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """The same database as `pool`, as the superuser."""
    pool = await create_pool(admin_database_url, 1, 2)
    yield pool
    await pool.close()


@pytest.fixture
async def store(pool: asyncpg.Pool) -> AsyncIterator[PostgresEventStore]:
    store = PostgresEventStore(pool)
    await store.start()
    yield store
    await store.close()


@pytest.fixture
def deps(store: PostgresEventStore) -> Deps:
    return deps_on(store)


@pytest.fixture
def memory_store() -> MemoryEventStore:
    """An empty in-memory log with the PostgreSQL store's contract (`tests/contract/`)."""
    return MemoryEventStore()


@pytest.fixture
def memory_deps(memory_store: MemoryEventStore) -> Deps:
    """What handlers need, on the memory store: for tests of services without PostgreSQL."""
    return deps_on(memory_store)


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running PostgreSQL of this test's own, to stop, restart or kill (fault tests)."""
    server = PrivatePostgres()
    server.start()
    yield server
    server.close()


@pytest.fixture
async def nats_server() -> AsyncIterator[NatsServer]:
    """A NATS server with JetStream of this test's own (`support/jetstream.py`)."""
    server = NatsServer()
    server.start()
    yield server
    if server.external:  # a shared server: leave no stream to overlap the next test's
        await delete_stream(server.url, "BRIDGEWORK")
    server.close()
