"""Readiness thresholds: their settings, and how a look at the log is judged against them."""

from __future__ import annotations

import pytest
from bridgework.infra.env import SettingsError
from bridgework.infra.health import HeldBack, LogHealth, ProjectionLag, readiness_problems
from bridgework.infra.settings import Settings


def test_the_readiness_and_websocket_settings_have_defaults_and_read_the_environment():
    assert Settings.from_env({}).ready_max_lag_seconds == 30.0
    assert Settings.from_env({}).ready_max_held_back_seconds == 30.0
    assert Settings.from_env({}).max_websockets == 1000
    configured = Settings.from_env(
        {
            "BRIDGEWORK_READY_MAX_LAG": "2.5",
            "BRIDGEWORK_READY_MAX_HELD_BACK": "10",
            "BRIDGEWORK_MAX_WEBSOCKETS": "50",
        }
    )
    assert configured.ready_max_lag_seconds == 2.5
    assert configured.ready_max_held_back_seconds == 10.0
    assert configured.max_websockets == 50


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BRIDGEWORK_READY_MAX_LAG", "soon"),
        ("BRIDGEWORK_READY_MAX_LAG", "0"),
        ("BRIDGEWORK_READY_MAX_LAG", "nan"),
        ("BRIDGEWORK_READY_MAX_HELD_BACK", "-3"),
        ("BRIDGEWORK_READY_MAX_HELD_BACK", "inf"),
        ("BRIDGEWORK_MAX_WEBSOCKETS", "0"),
        ("BRIDGEWORK_MAX_WEBSOCKETS", "2.5"),
    ],
)
def test_an_unusable_threshold_is_refused_naming_the_variable(name, value):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({name: value})
    assert str(refused.value).startswith(f"{name}={value!r} is not")


def health(*lags: float, held: float | None = None) -> LogHealth:
    return LogHealth(
        head=10,
        listening=True,
        projections=[ProjectionLag(f"p{i}", 5, 5, lag) for i, lag in enumerate(lags)],
        held_back_by=None if held is None else HeldBack(4242, held, "idle in transaction", "psql"),
    )


def test_a_caught_up_log_with_no_old_transaction_is_ready():
    assert readiness_problems(health(0.0, 3.0), max_lag=30, max_held_back=30) == []
    assert readiness_problems(health(0.0, held=29.0), max_lag=30, max_held_back=30) == []


def test_each_lagging_projection_and_an_old_transaction_is_a_problem_named_plainly():
    problems = readiness_problems(health(31.0, 0.0, 45.5, held=60.0), max_lag=30, max_held_back=30)
    assert problems == [
        "projection p0 is 31.0 s behind (more than 30 s)",
        "projection p2 is 45.5 s behind (more than 30 s)",
        (
            "transaction of pid 4242 (psql, idle in transaction) has held back every reader for"
            " 60.0 s (more than 30 s)"
        ),
    ]
