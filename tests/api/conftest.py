"""The real app (Litestar + strawberry) on a fresh database, driven by Litestar's TestClient."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from bridgework.infra.app import create_app
from bridgework.infra.settings import Settings
from litestar.testing import TestClient
from support.api import Api
from support.context import SECRET_KEY

if TYPE_CHECKING:
    from collections.abc import Iterator


def settings(database_url: str, **overrides: Any) -> Settings:
    return Settings(
        database_url=database_url, poll_interval_seconds=0.2, secret_key=SECRET_KEY, **overrides
    )


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    with TestClient(create_app(settings(database_url))) as client:
        yield Api(client)


@pytest.fixture
def api_without_projections(database_url: str) -> Iterator[Api]:
    app = create_app(settings(database_url, read_wait_seconds=0.2), run_projections=False)
    with TestClient(app) as client:
        yield Api(client)
