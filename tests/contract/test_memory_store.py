"""The in-memory event store passes the store contract."""

from __future__ import annotations

import pytest
from bridgework.infra.memory_store import MemoryEventStore
from contract.store_contract import StoreContract


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def store(self) -> MemoryEventStore:
        return MemoryEventStore()

    @pytest.fixture
    def reopened(self, store: MemoryEventStore) -> MemoryEventStore:
        """The memory is the log: the only other handle on it is the store itself."""
        return store
