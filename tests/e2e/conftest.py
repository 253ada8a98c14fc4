"""One real `bridgework serve` per test module (embedded PostgreSQL, a private data dir):
tests in a module share it and keep apart by writing names of their own."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from support.postgres import own_folder
from support.serve import Serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

    from gql.client import AsyncClientSession


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data dir of this test's own for `serve` (see `own_folder` for why not tmp_path)."""
    with own_folder() as folder:
        yield folder


@pytest.fixture(scope="module")
def server() -> Iterator[Serve]:
    with own_folder() as data_dir, Serve(data_dir) as running:
        yield running


@pytest.fixture
async def http(server: Serve) -> AsyncIterator[AsyncClientSession]:
    """A gql session over HTTP to this module's server."""
    async with server.http() as session:
        yield session
