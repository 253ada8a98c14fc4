"""Prometheus metrics at `/metrics`: GraphQL operations, appends and conflicts, LISTEN, each
projection's position, lag and parked events, the live tail, the pool, websockets.

Each app has a registry of its own (tests build many apps in one process). Counters the
store, runner, tail and watcher keep as plain numbers, and the figures only the database
knows (positions, lag, parked events, the transaction holding readers back), are read when
Prometheus scrapes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bridgework.infra.health import log_health
from bridgework.infra.mail import outbox_counts
from bridgework.infra.mail.observed import mail_families
from bridgework.infra.relay.observed import relay_families
from bridgework.infra.webhooks.observed import webhook_families
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from collections.abc import Iterable

    from bridgework.graphql.context import ApiServices
    from bridgework.infra.connections import WebsocketLimit
    from bridgework.infra.health import LogHealth
    from bridgework.infra.runtime import Runtime

log = logging.getLogger("bridgework")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
MAX_OPERATION_NAMES = 200
"""Distinct operation names kept as labels; the rest count as `other`."""


class _Scraped(Collector):
    """The families read at the last scrape (prometheus_client collects synchronously, the
    database is read asynchronously just before)."""

    def __init__(self) -> None:
        self.families: list[Metric] = []

    def collect(self) -> Iterable[Metric]:
        return self.families


class Metrics:
    """The app's registry, and the `Observer` the GraphQL layer reports operations to."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._operations = Counter(
            "bridgework_graphql_operations",
            "GraphQL operations by name, kind and outcome (ok, or the first error's code).",
            ["operation", "kind", "outcome"],
            registry=self.registry,
        )
        self._latency = Histogram(
            "bridgework_graphql_operation_seconds",
            "Time to answer a GraphQL query or mutation.",
            ["operation", "kind"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._scraped = _Scraped()
        self.registry.register(self._scraped)
        self._names: set[str] = set()

    def operation(self, name: str, kind: str, outcome: str, seconds: float) -> None:
        if name not in self._names:
            if len(self._names) >= MAX_OPERATION_NAMES:
                name = "other"
            else:
                self._names.add(name)
        self._operations.labels(name, kind, outcome).inc()
        self._latency.labels(name, kind).observe(seconds)

    async def render(self, runtime: Runtime, api: ApiServices, websockets: WebsocketLimit) -> bytes:
        """The text exposition, with everything read at scrape time brought up to date."""
        families = _process(runtime, api, websockets)
        try:
            families += _database(await log_health(runtime.pool, runtime.store))
            mailer = None if runtime.mailer is None else runtime.mailer.stats
            families += mail_families(await outbox_counts(runtime.pool), mailer)
            families += await relay_families(runtime.pool, runtime.relay)
            hooks = None if runtime.webhooks is None else runtime.webhooks.stats
            families += await webhook_families(runtime.pool, hooks)
        except Exception:  # a scrape must answer even while the database does not
            log.warning("metrics: the database did not answer", exc_info=True)
            families.append(_gauge("bridgework_database_up", "The database answers.", 0))
        self._scraped.families = families
        return generate_latest(self.registry)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _counter(name: str, documentation: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, value=value)


def _process(runtime: Runtime, api: ApiServices, websockets: WebsocketLimit) -> list[Metric]:
    """What this process counted itself."""
    store, pool = runtime.store.stats, runtime.pool
    busy = GaugeMetricFamily(
        "bridgework_pool_connections", "Database connections in the pool.", labels=["state"]
    )
    idle = pool.get_idle_size()
    busy.add_metric(["busy"], pool.get_size() - idle)
    busy.add_metric(["idle"], idle)
    families: list[Metric] = [
        busy,
        _gauge("bridgework_pool_max_connections", "The pool's upper bound.", pool.get_max_size()),
        _counter("bridgework_appends", "Appends that wrote events.", store.appends),
        _counter("bridgework_events_appended", "Events appended.", store.events_appended),
        _counter(
            "bridgework_version_conflicts",
            "Appends refused because a stream had moved on (the command is retried).",
            store.version_conflicts,
        ),
        _gauge(
            "bridgework_listen_connected",
            "1 while this process receives NOTIFY wake-ups, 0 while it polls.",
            1 if runtime.store.listening else 0,
        ),
        _counter("bridgework_listen_lost", "Times LISTEN was lost.", store.listen_lost),
        _counter(
            "bridgework_notifications_received", "NOTIFY wake-ups.", store.notifications_received
        ),
        _gauge("bridgework_websocket_connections", "Open websocket connections.", websockets.open),
        _counter(
            "bridgework_websockets_refused", "Websockets refused over the cap.", websockets.refused
        ),
        _gauge(
            "bridgework_live_subscribers", "Subscribers at the log's head.", api.live.stats.live
        ),
        _counter(
            "bridgework_live_let_go",
            "Subscribers too slow for the live tail, sent back to catch up alone.",
            api.live.stats.let_go,
        ),
        _counter(
            "bridgework_read_your_writes_waits",
            "Queries that waited for atLeast.",
            api.positions.stats.waits,
        ),
        _counter(
            "bridgework_read_your_writes_timeouts",
            "Queries whose atLeast the views did not reach in time.",
            api.positions.stats.timed_out,
        ),
    ]
    runner = runtime.runner
    per_projection = {
        "batches": "Batches a projection committed in this process.",
        "events": "Events a projection moved past in this process.",
        "failures": "Batches that failed for a reason other than an outage.",
        "transient_faults": "Tries that met an unavailable database.",
    }
    for field, documentation in per_projection.items():
        family = CounterMetricFamily(
            f"bridgework_projection_{field}", documentation, labels=["projection"]
        )
        for name, stats in runner.stats.items():
            family.add_metric([name], getattr(stats, field))
        families.append(family)
    return families


def _database(health: LogHealth) -> list[Metric]:
    """What only the database knows, the same figures `/ready` and `bridgework status` show."""
    position = GaugeMetricFamily(
        "bridgework_projection_position", "Last position applied.", labels=["projection"]
    )
    lag_events = GaugeMetricFamily(
        "bridgework_projection_lag_events", "Events not yet applied.", labels=["projection"]
    )
    lag_seconds = GaugeMetricFamily(
        "bridgework_projection_lag_seconds",
        "Age of the oldest event not yet applied.",
        labels=["projection"],
    )
    parked = GaugeMetricFamily(
        "bridgework_parked_events", "Open parked events.", labels=["projection"]
    )
    for p in health.projections:
        position.add_metric([p.name], p.position)
        lag_events.add_metric([p.name], p.lag_events)
        lag_seconds.add_metric([p.name], p.lag_seconds)
        parked.add_metric([p.name], p.parked)
    held = health.held_back_by
    return [
        _gauge("bridgework_database_up", "The database answers.", 1),
        _gauge("bridgework_log_head", "The highest position in the log.", health.head),
        position,
        lag_events,
        lag_seconds,
        parked,
        _gauge(
            "bridgework_readers_held_back_seconds",
            "Age of the open transaction holding every reader of the log back (0: none).",
            0 if held is None else held.age_seconds,
        ),
    ]
