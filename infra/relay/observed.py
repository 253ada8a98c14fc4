"""What operators see of the relays (`/metrics`): how far behind the log each is, whichever
process runs it (from `relay_checkpoints`), and the counters of one running in this process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.infra.relay.checkpoints import lags
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

if TYPE_CHECKING:
    import asyncpg
    from bridgework.infra.relay.relay import Relay
    from prometheus_client.core import Metric

_COUNTERS = (
    ("published", "Events NATS JetStream acknowledged from this process's relay."),
    ("duplicates", "Acks saying the stream already held the event (a batch sent again)."),
    ("failures", "Batches published again: acks missing or NATS unavailable."),
    ("database_faults", "Tries of the relay that met an unavailable database."),
    ("reconnects", "Times the relay's NATS connection came back."),
)


async def relay_families(pool: asyncpg.Pool, relay: Relay | None) -> list[Metric]:
    families: list[Metric] = []
    position, lag_events, lag_seconds = (
        GaugeMetricFamily(f"bridgework_relay_{name}", documentation, labels=["relay"])
        for name, documentation in (
            ("position", "The last position the relay published and had acknowledged."),
            ("lag_events", "Events not yet relayed (counted up to 10,000)."),
            ("lag_seconds", "Age of the oldest event not yet relayed."),
        )
    )
    for lag in await lags(pool):
        position.add_metric([lag.name], lag.position)
        lag_events.add_metric([lag.name], lag.events)
        lag_seconds.add_metric([lag.name], lag.seconds)
    families += [position, lag_events, lag_seconds]
    if relay is None:
        return families
    labels = [relay.name]
    for field, documentation in _COUNTERS:
        family = CounterMetricFamily(f"bridgework_relay_{field}", documentation, labels=["relay"])
        family.add_metric(labels, getattr(relay.stats, field))
        families.append(family)
    connected = GaugeMetricFamily(
        "bridgework_relay_connected",
        "1 while this process's relay holds a NATS connection.",
        labels=["relay"],
    )
    connected.add_metric(labels, int(relay.stats.connected))
    return [*families, connected]
