"""One real `bridgework serve` per test module (embedded PostgreSQL, a private data dir):
tests in a module share it and keep apart by writing names of their own."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from support.serve import Serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from gql.client import AsyncClientSession


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    with Serve(tmp_path_factory.mktemp("serve")) as running:
        yield running


@pytest.fixture
async def http(server: Serve) -> AsyncIterator[AsyncClientSession]:
    """A gql session over HTTP to this module's server."""
    async with server.http() as session:
        yield session
