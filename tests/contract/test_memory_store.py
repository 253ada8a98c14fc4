"""The in-memory event store passes the store contract."""

from __future__ import annotations

import pytest
from bridgework.infra.memory_store import MemoryEventStore
from contract.group_contract import GroupAppendContract
from contract.personal_contract import PersonalDataContract
from contract.store_contract import StoreContract


class TestMemoryStore(StoreContract, GroupAppendContract, PersonalDataContract):
    @pytest.fixture
    def store(self) -> MemoryEventStore:
        return MemoryEventStore()

    @pytest.fixture
    def reopened(self, store: MemoryEventStore) -> MemoryEventStore:
        """The memory is the log: the only other handle on it is the store itself."""
        return store

    @pytest.fixture
    def raw_payloads(self, store: MemoryEventStore):
        async def payloads() -> list[bytes]:
            return [e.payload for e in store._log]

        return payloads
