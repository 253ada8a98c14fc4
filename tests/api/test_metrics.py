"""Prometheus metrics at /metrics: what an operator scrapes."""

from __future__ import annotations

from bridgework.infra.metrics import MAX_OPERATION_NAMES
from prometheus_client.parser import text_string_to_metric_families
from support.api import org


def scrape(api) -> dict[tuple[str, tuple], float]:
    response = api.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def operations(samples, **labels) -> float:
    wanted = tuple(sorted(labels.items()))
    return samples.get(("bridgework_graphql_operations_total", wanted), 0.0)


def test_operations_are_counted_by_name_kind_and_outcome(api):
    org(api)
    api.data("query Directory { programs(first: 5) { edges { cursor } } }")
    api.data("query Directory { programs(first: 5) { edges { cursor } } }")
    api.post('query Broken { program(id: "not-an-id") { name } }')
    samples = scrape(api)
    assert operations(samples, operation="Directory", kind="query", outcome="ok") == 2
    assert operations(samples, operation="anonymous", kind="mutation", outcome="ok") == 1
    assert operations(samples, operation="Broken", kind="query", outcome="BAD_USER_INPUT") == 1
    count = (
        "bridgework_graphql_operation_seconds_count",
        (("kind", "query"), ("operation", "Directory")),
    )
    assert samples[count] == 2


def test_operation_names_are_bounded_so_clients_cannot_flood_the_labels(api):
    long_name = "Q" * 100
    api.data(f"query {long_name} {{ __typename }}")
    for i in range(MAX_OPERATION_NAMES + 5):
        api.data(f"query Q{i} {{ __typename }}")
    labels = {
        dict(k[1]).get("operation") for k in scrape(api) if k[0].startswith("bridgework_graphql")
    }
    assert "invalid" in labels
    assert long_name not in labels
    assert "other" in labels
    assert len(labels) <= MAX_OPERATION_NAMES + 2


def test_the_pool_is_reported(api):
    samples = scrape(api)
    assert samples[("bridgework_pool_max_connections", ())] == 10
    busy = samples[("bridgework_pool_connections", (("state", "busy"),))]
    idle = samples[("bridgework_pool_connections", (("state", "idle"),))]
    assert busy + idle >= 1


def test_appends_projections_and_the_listener_are_reported(api):
    written = org(api)["position"]
    api.data(f'{{ organization(id: "{org(api)["id"]}", atLeast: {written + 1}) {{ name }} }}')
    samples = scrape(api)
    assert samples[("bridgework_appends_total", ())] == 2
    assert samples[("bridgework_events_appended_total", ())] == 2
    assert samples[("bridgework_listen_connected", ())] == 1
    assert samples[("bridgework_database_up", ())] == 1
    assert samples[("bridgework_log_head", ())] == written + 1
    directory = (("projection", "directory"),)
    assert samples[("bridgework_projection_position", directory)] == written + 1
    assert samples[("bridgework_projection_lag_events", directory)] == 0
    assert samples[("bridgework_parked_events", directory)] == 0
    assert samples[("bridgework_projection_events_total", directory)] >= 2
    assert samples[("bridgework_readers_held_back_seconds", ())] == 0
