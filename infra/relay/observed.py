"""What operators see of a relay running in this process (`/metrics`): its counters, whether
it holds a NATS connection, and how far behind the log it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.infra.relay.checkpoints import lag_of
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

if TYPE_CHECKING:
    from bridgework.infra.relay.relay import Relay
    from prometheus_client.core import Metric

_COUNTERS = (
    ("published", "Events NATS JetStream acknowledged from this process's relay."),
    ("duplicates", "Acks saying the stream already held the event (a batch sent again)."),
    ("failures", "Batches published again: acks missing or NATS unavailable."),
    ("database_faults", "Tries of the relay that met an unavailable database."),
    ("reconnects", "Times the relay's NATS connection came back."),
)


async def relay_families(relay: Relay | None) -> list[Metric]:
    if relay is None:
        return []
    labels = [relay.name]
    families: list[Metric] = []
    for field, documentation in _COUNTERS:
        family = CounterMetricFamily(f"bridgework_relay_{field}", documentation, labels=["relay"])
        family.add_metric(labels, getattr(relay.stats, field))
        families.append(family)
    lag = await lag_of(relay.pool, relay.name)
    for name, documentation, value in (
        ("connected", "1 while the relay holds a NATS connection.", int(relay.stats.connected)),
        ("lag_events", "Events not yet relayed (counted up to 10,000).", lag.events),
        ("lag_seconds", "Age of the oldest event not yet relayed.", lag.seconds),
    ):
        gauge = GaugeMetricFamily(f"bridgework_relay_{name}", documentation, labels=["relay"])
        gauge.add_metric(labels, value)
        families.append(gauge)
    return families
