"""The real app (Litestar + strawberry) on a fresh database, driven by Litestar's TestClient."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

import pytest
from bridgework.infra.app import create_app
from bridgework.infra.mail.settings import MailSettings
from bridgework.infra.settings import Settings
from bridgework.infra.webhooks.settings import WebhookSettings
from litestar.testing import TestClient
from support.api import Api
from support.auth import TEST_KEYS, Tokens
from support.context import SECRET_KEY
from support.receiver import Receiver

if TYPE_CHECKING:
    from collections.abc import Iterator


def settings(database_url: str, **overrides: Any) -> Settings:
    """No mailer: what a test's commands mail stays in the outbox to be read
    (`support.hours.mailed_link`); `tests/api/test_hours_api.py` runs one with an SMTP server."""
    return Settings(
        database_url=database_url,
        poll_interval_seconds=0.2,
        secret_key=SECRET_KEY,
        mail=MailSettings(run_mailer=False),
        data_dir=TEST_KEYS,
        **overrides,
    )


@pytest.fixture(scope="session")
def tokens() -> Tokens:
    return Tokens(TEST_KEYS)


@pytest.fixture
def api(database_url: str, tokens: Tokens) -> Iterator[Api]:
    with TestClient(create_app(settings(database_url))) as client:
        yield Api(client, tokens)


@pytest.fixture
def api_without_projections(database_url: str, tokens: Tokens) -> Iterator[Api]:
    app = create_app(settings(database_url, read_wait_seconds=0.2), run_projections=False)
    with TestClient(app) as client:
        yield Api(client, tokens)


@pytest.fixture
def hooks(database_url: str, tokens: Tokens) -> Iterator[Api]:
    """The app, its webhook worker allowed to send to loopback receivers and retrying within
    a second (three attempts, then the dead letters)."""
    quick = WebhookSettings(
        allow_networks=(ipaddress.ip_network("127.0.0.0/8"),),
        retry_schedule=(0, 0.2, 0.2),
        poll_seconds=0.2,
        disable_after_seconds=3600,
    )
    with TestClient(create_app(settings(database_url, webhooks=quick))) as client:
        yield Api(client, tokens)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A local webhook receiver that verifies signatures (`support/receiver.py`)."""
    with Receiver() as running:
        yield running
