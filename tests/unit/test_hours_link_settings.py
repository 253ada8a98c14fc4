"""Where supervisors' links point: `BRIDGEWORK_PUBLIC_URL`, checked at start-up."""

from __future__ import annotations

import pytest
from bridgework.infra.env import SettingsError
from bridgework.infra.settings import Settings


def test_the_public_url_has_a_default_and_reads_the_environment():
    assert Settings.from_env({}).public_url == "http://127.0.0.1:8000"
    configured = Settings.from_env({"BRIDGEWORK_PUBLIC_URL": "https://bridgework.example.org/"})
    assert configured.public_url == "https://bridgework.example.org"


@pytest.mark.parametrize("value", ["bridgework.example.org", "ftp://x", "https://a b"])
def test_a_public_url_that_is_not_a_web_address_is_refused_by_name(value):
    with pytest.raises(SettingsError, match="BRIDGEWORK_PUBLIC_URL"):
        Settings.from_env({"BRIDGEWORK_PUBLIC_URL": value})
