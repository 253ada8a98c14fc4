"""Production mode and rate-limit settings, the token buckets, and whose bucket a call takes
from."""

from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest
from bridgework.graphql.exposure import TokenBuckets, commands_in, identity_key
from bridgework.infra.env import SettingsError
from bridgework.infra.protection_settings import ProtectionSettings
from bridgework.infra.settings import Settings

from graphql import parse


def test_development_is_the_default_and_shows_everything():
    protection = Settings.from_env({}).protection
    assert protection == ProtectionSettings(
        environment="development",
        graphiql=True,
        introspection=True,
        https=False,
        mutations_per_minute=600,
        mutation_burst=600,
    )


def test_production_hides_graphiql_and_introspection_unless_turned_back_on():
    production = ProtectionSettings.from_env({"BRIDGEWORK_ENV": "Production"})
    assert (production.environment, production.graphiql, production.introspection) == (
        "production",
        False,
        False,
    )
    opened = ProtectionSettings.from_env(
        {
            "BRIDGEWORK_ENV": "production",
            "BRIDGEWORK_GRAPHIQL": "yes",
            "BRIDGEWORK_INTROSPECTION": "1",
        }
    )
    assert (opened.graphiql, opened.introspection) == (True, True)
    closed = ProtectionSettings.from_env({"BRIDGEWORK_INTROSPECTION": "false"})
    assert (closed.graphiql, closed.introspection) == (True, False)


def test_the_rate_and_https_read_the_environment():
    configured = ProtectionSettings.from_env(
        {
            "BRIDGEWORK_HTTPS": "true",
            "BRIDGEWORK_MUTATIONS_PER_MINUTE": "30",
            "BRIDGEWORK_MUTATION_BURST": "5",
        }
    )
    assert (configured.https, configured.mutations_per_minute, configured.mutation_burst) == (
        True,
        30,
        5,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BRIDGEWORK_ENV", "staging"),
        ("BRIDGEWORK_GRAPHIQL", "maybe"),
        ("BRIDGEWORK_INTROSPECTION", "2"),
        ("BRIDGEWORK_HTTPS", "tls"),
        ("BRIDGEWORK_MUTATIONS_PER_MINUTE", "0"),
        ("BRIDGEWORK_MUTATIONS_PER_MINUTE", "1.5"),
        ("BRIDGEWORK_MUTATION_BURST", "-1"),
    ],
)
def test_an_unusable_value_is_refused_naming_the_variable(name, value):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({name: value})
    assert name in str(refused.value)


def test_a_bucket_admits_its_burst_then_one_call_per_interval():
    buckets = TokenBuckets(per_minute=60, burst=3)
    assert [buckets.take("ana", now=100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("ana", now=100.0) == pytest.approx(1.0)
    assert buckets.take("ana", now=100.25) == pytest.approx(0.75)  # refused calls take nothing
    assert buckets.take("ana", now=101.0) == 0.0
    assert buckets.take("ana", now=101.0) == pytest.approx(1.0)
    assert buckets.take("ben", now=101.0) == 0.0  # every identity has its own


def test_a_call_of_several_commands_takes_as_many_tokens():
    buckets = TokenBuckets(per_minute=60, burst=3)
    assert buckets.take("ana", 3, now=0.0) == 0.0
    assert buckets.take("ana", 2, now=1.0) == pytest.approx(1.0)
    assert buckets.take("ana", 2, now=2.0) == 0.0


def test_a_bucket_refills_only_up_to_its_burst():
    buckets = TokenBuckets(per_minute=60, burst=2)
    buckets.take("ana", now=0.0)
    assert [buckets.take("ana", now=3600.0) for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0)]


def test_idle_identities_are_forgotten_when_there_are_very_many(monkeypatch):
    monkeypatch.setattr("bridgework.graphql.exposure.MAX_BUCKETS", 3)
    buckets = TokenBuckets(per_minute=60, burst=1)
    for key in ("a", "b", "c"):
        buckets.take(key, now=0.0)
    buckets.take("d", now=10.0)  # a, b and c have filled up again by now
    assert buckets.take("a", now=10.0) == 0.0
    assert buckets.take("d", now=10.0) == pytest.approx(1.0)  # a busy one is remembered
    assert len(buckets) == 2


def connection(headers: dict[str, str], host: str = "10.0.0.7") -> SimpleNamespace:
    return SimpleNamespace(headers=headers, client=SimpleNamespace(host=host))


def test_the_identity_is_the_principal_else_the_authorization_header_else_the_address():
    bearer = {"authorization": "Bearer abc"}
    with_principal = SimpleNamespace(
        principal=SimpleNamespace(subject="ana"), request=connection(bearer)
    )
    assert identity_key(with_principal) == "principal:ana"
    by_header = identity_key(SimpleNamespace(request=connection(bearer)))
    assert by_header.startswith("authorization:")
    assert "abc" not in by_header
    assert by_header == identity_key(SimpleNamespace(websocket=connection(bearer, "10.0.0.8")))
    assert identity_key(SimpleNamespace(request=connection({}))) == "address:10.0.0.7"


def test_every_root_field_of_the_mutation_to_run_counts_fragments_included():
    document = parse(
        """
        mutation One { a: registerOrganization { id } }
        mutation Many { a: x ...Two ... on Mutation { d: x } }
        fragment Two on Mutation { b: x c: x }
        """
    )
    assert commands_in(SimpleNamespace(graphql_document=document, operation_name="One")) == 1
    assert commands_in(SimpleNamespace(graphql_document=document, operation_name="Many")) == 4


def test_counting_the_commands_leaves_no_reference_cycle_behind():
    """A cycle per call would leave at least a function and its cell per call for the
    collector; other threads of the test process may leave a few of their own meanwhile,
    so the test counts what 500 calls leave, not whether anything at all is left."""
    document = parse(
        "mutation { a: x ...Two ... on Mutation { d: x } } fragment Two on Mutation { b: x }"
    )
    context = SimpleNamespace(graphql_document=document, operation_name=None)
    calls = 500
    gc.collect()
    gc.disable()
    try:
        assert all(commands_in(context) == 3 for _ in range(calls))
        assert gc.collect() < calls
    finally:
        gc.enable()


def test_when_most_identities_are_busy_the_buckets_are_looked_over_only_as_they_double(
    monkeypatch,
):
    monkeypatch.setattr("bridgework.graphql.exposure.MAX_BUCKETS", 2)
    buckets = TokenBuckets(per_minute=60, burst=1)
    for key in ("a", "b", "c"):  # c makes three: none has filled up again, all are kept
        buckets.take(key, now=0.0)
    buckets.take("d", now=5.0)  # four, not above twice three: a, b and c stay for now
    assert len(buckets) == 4
    for key in ("e", "f", "g"):  # seven: above six, so a, b and c, filled up again, go
        buckets.take(key, now=5.0)
    assert len(buckets) == 4
