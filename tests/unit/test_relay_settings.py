"""Relay settings: off by default, the environment's names, refusals naming the variable; and
the headers each published event carries."""

from __future__ import annotations

import pytest
from bridgework.infra.env import SettingsError
from bridgework.infra.relay.publishing import headers
from bridgework.infra.relay.settings import RelaySettings
from bridgework.infra.settings import Settings


def test_by_default_there_is_no_relay_and_it_publishes_no_personal_data():
    relay = Settings.from_env({}).relay
    assert relay == RelaySettings()
    assert relay.nats_url is None
    assert relay.run_relay is False
    assert relay.personal_data is False
    assert relay.stream == "BRIDGEWORK"


def test_the_relay_settings_read_the_environment():
    relay = Settings.from_env(
        {
            "BRIDGEWORK_NATS_URL": "nats://a:4222, tls://b:4222",
            "BRIDGEWORK_NATS_STREAM": "EVENTS_1",
            "BRIDGEWORK_NATS_DUPLICATE_WINDOW": "600",
            "BRIDGEWORK_RELAY_NAME": "warehouse",
            "BRIDGEWORK_RELAY_PERSONAL_DATA": "true",
            "BRIDGEWORK_RELAY_BATCH": "250",
            "BRIDGEWORK_RELAY_ACK_TIMEOUT": "2.5",
            "BRIDGEWORK_RUN_RELAY": "yes",
        }
    ).relay
    assert relay == RelaySettings(
        nats_url="nats://a:4222,tls://b:4222",
        stream="EVENTS_1",
        duplicate_window_seconds=600,
        name="warehouse",
        personal_data=True,
        batch_size=250,
        ack_timeout_seconds=2.5,
        run_relay=True,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BRIDGEWORK_NATS_URL", "http://a:4222"),
        ("BRIDGEWORK_NATS_URL", "nats://"),
        ("BRIDGEWORK_NATS_URL", "nats://a:4222,"),
        ("BRIDGEWORK_NATS_STREAM", "bridgework.events"),
        ("BRIDGEWORK_NATS_STREAM", "x" * 65),
        ("BRIDGEWORK_NATS_STREAM", "a\x00b"),
        ("BRIDGEWORK_NATS_DUPLICATE_WINDOW", "0"),
        ("BRIDGEWORK_NATS_DUPLICATE_WINDOW", "nan"),
        ("BRIDGEWORK_RELAY_NAME", "a b"),
        ("BRIDGEWORK_RELAY_PERSONAL_DATA", "maybe"),
        ("BRIDGEWORK_RELAY_BATCH", "0"),
        ("BRIDGEWORK_RELAY_BATCH", "10001"),
        ("BRIDGEWORK_RELAY_ACK_TIMEOUT", "-1"),
        ("BRIDGEWORK_RUN_RELAY", "sometimes"),
    ],
)
def test_a_value_the_relay_cannot_use_is_refused_naming_its_variable(variable, value):
    with pytest.raises(SettingsError, match=f"^{variable}="):
        Settings.from_env({variable: value})


def test_running_the_relay_in_serve_needs_a_nats_url():
    with pytest.raises(SettingsError, match="BRIDGEWORK_RUN_RELAY=true needs BRIDGEWORK_NATS_URL"):
        Settings.from_env({"BRIDGEWORK_RUN_RELAY": "true"})


def test_each_event_carries_its_id_for_deduplication_and_its_attributes_as_headers():
    envelope = {
        "id": "0b6c8f0e-58a4-4c1e-9f59-3d1c3e6a9a21",
        "type": "bridgework.directory.StudentRegistered",
        "source": "/bridgework",
        "time": "2026-03-02T09:00:00Z",
        "sequence": "00000000000000000007",
    }
    assert headers(envelope) == {
        "Nats-Msg-Id": "0b6c8f0e-58a4-4c1e-9f59-3d1c3e6a9a21",
        "Content-Type": "application/cloudevents+json",
        "ce-specversion": "1.0",
        "ce-id": "0b6c8f0e-58a4-4c1e-9f59-3d1c3e6a9a21",
        "ce-type": "bridgework.directory.StudentRegistered",
        "ce-source": "/bridgework",
        "ce-time": "2026-03-02T09:00:00Z",
        "ce-sequence": "00000000000000000007",
    }
