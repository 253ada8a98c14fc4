"""The past views' limits: defaults, the environment, and refusals naming the variable."""

from __future__ import annotations

import pytest
from bridgework.infra.asof import limits
from bridgework.infra.env import SettingsError
from bridgework.infra.settings import Settings
from bridgework.projections.asof import AsOfLimits


def test_the_as_of_limits_have_defaults_and_read_the_environment():
    assert limits(Settings.from_env({}).as_of) == AsOfLimits()
    configured = Settings.from_env(
        {
            "BRIDGEWORK_ASOF_MAX_SCHEMAS": "3",
            "BRIDGEWORK_ASOF_MAX_AGE": "90.5",
            "BRIDGEWORK_ASOF_MAX_BUILDS": "1",
            "BRIDGEWORK_ASOF_MAX_EVENTS": "5000",
        }
    ).as_of
    assert limits(configured) == AsOfLimits(
        max_schemas=3, max_age_seconds=90.5, max_builds=1, max_events=5000
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BRIDGEWORK_ASOF_MAX_SCHEMAS", "0"),
        ("BRIDGEWORK_ASOF_MAX_SCHEMAS", "many"),
        ("BRIDGEWORK_ASOF_MAX_AGE", "-1"),
        ("BRIDGEWORK_ASOF_MAX_AGE", "nan"),
        ("BRIDGEWORK_ASOF_MAX_BUILDS", "1.5"),
        ("BRIDGEWORK_ASOF_MAX_EVENTS", "-3"),
    ],
)
def test_an_unusable_as_of_limit_is_refused_naming_its_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})
