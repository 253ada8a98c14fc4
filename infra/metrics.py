"""Prometheus metrics at `/metrics`: GraphQL operations, the pool, websockets, the store,
the projections.

Each app has a registry of its own (tests build many apps in one process). Counters the
store and runner keep as plain numbers are read when Prometheus scrapes, as are the figures
only the database knows (positions, lag, parked events).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.enums import ScopeType
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

if TYPE_CHECKING:
    from bridgework.infra.runtime import Runtime
    from litestar.types import ASGIApp, Receive, Scope, Send

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
MAX_OPERATION_NAMES = 200
"""Distinct operation names kept as labels; the rest count as `other`."""


class Metrics:
    """The app's registry, and the `Observer` the GraphQL layer reports operations to."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self._operations = Counter(
            "bridgework_graphql_operations",
            "GraphQL operations by name, kind and outcome (ok, or the first error's code).",
            ["operation", "kind", "outcome"],
            registry=r,
        )
        self._latency = Histogram(
            "bridgework_graphql_operation_seconds",
            "Time to answer a GraphQL query or mutation.",
            ["operation", "kind"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.websockets = Gauge(
            "bridgework_websocket_connections", "Open websocket connections.", registry=r
        )
        self._pool_size = Gauge(
            "bridgework_pool_connections",
            "Database connections in the pool.",
            ["state"],
            registry=r,
        )
        self._pool_max = Gauge(
            "bridgework_pool_max_connections", "The pool's upper bound.", registry=r
        )
        self._names: set[str] = set()

    def operation(self, name: str, kind: str, outcome: str, seconds: float) -> None:
        if name not in self._names:
            if len(self._names) >= MAX_OPERATION_NAMES:
                name = "other"
            else:
                self._names.add(name)
        self._operations.labels(name, kind, outcome).inc()
        self._latency.labels(name, kind).observe(seconds)

    async def render(self, runtime: Runtime) -> bytes:
        """The text exposition, with the figures read at scrape time brought up to date."""
        pool = runtime.pool
        size, idle = pool.get_size(), pool.get_idle_size()
        self._pool_size.labels("busy").set(size - idle)
        self._pool_size.labels("idle").set(idle)
        self._pool_max.set(pool.get_max_size())
        return generate_latest(self.registry)

    def count_websockets(self, app: ASGIApp) -> ASGIApp:
        """ASGI middleware: the gauge follows each websocket from handshake to close."""

        async def counted(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.WEBSOCKET:
                await app(scope, receive, send)
                return
            self.websockets.inc()
            try:
                await app(scope, receive, send)
            finally:
                self.websockets.dec()

        return counted
