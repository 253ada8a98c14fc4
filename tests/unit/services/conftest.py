"""Service tests run on the in-memory store: `store` and `deps` here are the memory ones,
and anything that would start PostgreSQL fails the test instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from bridgework.infra.memory_store import MemoryEventStore
    from bridgework.services.unit_of_work import Deps


@pytest.fixture
def store(memory_store: MemoryEventStore) -> MemoryEventStore:
    return memory_store


@pytest.fixture
def deps(memory_deps: Deps) -> Deps:
    return memory_deps


@pytest.fixture(scope="session")
def server_url() -> None:
    pytest.fail(
        "tests/unit/services run on the memory store; a test that needs PostgreSQL "
        "belongs in tests/integration"
    )
