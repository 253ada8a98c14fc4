"""Fixtures of the integration tests that need more than one process's view of the log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from bridgework.infra.database import create_pool
from bridgework.infra.store import PostgresEventStore
from bridgework.infra.transcoding import Transcoder
from bridgework.services.unit_of_work import Deps
from support.context import SECRET_KEY


@pytest.fixture
async def other_process(database_url):
    """A second store on the same database, with its own pool and its own cache: what
    another server process is."""
    pool = await create_pool(database_url, 1, 10)
    store = PostgresEventStore(pool)
    await store.start()
    yield Deps(
        store=store,
        codec=Transcoder(),
        clock=lambda: datetime.now(UTC),
        new_id=uuid.uuid4,
        secret_key=SECRET_KEY,
    )
    await store.close()
    await pool.close()
