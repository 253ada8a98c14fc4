"""One real `bridgework serve` per test module (embedded PostgreSQL, a private data dir):
tests in a module share it and keep apart by writing names of their own.

A data dir starts with a copy of one cluster migrated once per run (`migrated_cluster`):
initdb, creating the database and migrating cost seconds a start. A test of what `serve`
does on a fresh machine takes `fresh_data_dir`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from support.serve import Serve, data_folder, migrated_cluster

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

    from gql.client import AsyncClientSession


@pytest.fixture(scope="session")
def cluster() -> Iterator[Path]:
    """The embedded cluster `bridgework migrate` leaves on a fresh data dir, stopped."""
    with data_folder() as folder:
        yield migrated_cluster(folder)


@pytest.fixture
def data_dir(cluster: Path) -> Iterator[Path]:
    """A data dir of this test's own for `serve` (see `own_folder` for why not tmp_path),
    holding a copy of the migrated cluster."""
    with data_folder(cluster) as folder:
        yield folder


@pytest.fixture
def fresh_data_dir() -> Iterator[Path]:
    """An empty data dir: `serve` runs initdb, creates the database and roles, migrates."""
    with data_folder() as folder:
        yield folder


@pytest.fixture(scope="module")
def server(cluster: Path) -> Iterator[Serve]:
    with data_folder(cluster) as data_dir, Serve(data_dir) as running:
        yield running


@pytest.fixture
async def http(server: Serve) -> AsyncIterator[AsyncClientSession]:
    """A gql session over HTTP to this module's server."""
    async with server.http() as session:
        yield session
