"""The CloudEvents `source` of `GET /feed`'s events: `BRIDGEWORK_EVENT_SOURCE`, checked at
start-up."""

from __future__ import annotations

import pytest
from bridgework.infra.env import SettingsError
from bridgework.infra.settings import Settings


def test_the_event_source_has_a_default_and_reads_the_environment():
    assert Settings.from_env({}).event_source == "/bridgework"
    configured = Settings.from_env({"BRIDGEWORK_EVENT_SOURCE": " https://bw.example.org/x "})
    assert configured.event_source == "https://bw.example.org/x"


@pytest.mark.parametrize("value", ["/bridge work", "urn:a\tb", "/x\x00"])
def test_an_event_source_that_is_not_a_uri_reference_is_refused_by_name(value):
    with pytest.raises(SettingsError, match="BRIDGEWORK_EVENT_SOURCE"):
        Settings.from_env({"BRIDGEWORK_EVENT_SOURCE": value})
