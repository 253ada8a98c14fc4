"""What `/metrics` shows of webhooks: messages by status, disabled endpoints, and this
process's worker's counters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

if TYPE_CHECKING:
    import asyncpg
    from bridgework.infra.webhooks.worker import WebhookStats
    from prometheus_client import Metric

_COUNTS = """
SELECT (SELECT count(*) FILTER (WHERE status = 'pending') FROM webhook_messages),
       (SELECT count(*) FILTER (WHERE status = 'dead') FROM webhook_messages),
       (SELECT count(*) FILTER (WHERE disabled_at IS NOT NULL) FROM webhook_endpoints),
       (SELECT count(*) FILTER (WHERE failing_since IS NOT NULL) FROM webhook_endpoints)
"""


async def webhook_families(pool: asyncpg.Pool, stats: WebhookStats | None) -> list[Metric]:
    pending, dead, disabled, failing = await pool.fetchrow(_COUNTS) or (0, 0, 0, 0)
    messages = GaugeMetricFamily(
        "bridgework_webhook_messages",
        "Webhook messages waiting or dead-lettered.",
        labels=["status"],
    )
    messages.add_metric(["pending"], pending)
    messages.add_metric(["dead"], dead)
    endpoints = GaugeMetricFamily(
        "bridgework_webhook_endpoints", "Webhook endpoints disabled, or failing.", labels=["state"]
    )
    endpoints.add_metric(["disabled"], disabled)
    endpoints.add_metric(["failing"], failing)
    families: list[Metric] = [messages, endpoints]
    if stats is not None:
        for name, documentation in (
            ("delivered", "Webhook messages this process's worker delivered."),
            ("failed_attempts", "Attempts that failed and were scheduled again."),
            ("dead", "Messages dead-lettered after their last attempt."),
            ("endpoints_disabled", "Endpoints disabled: 410 Gone, or failing for too long."),
        ):
            families.append(
                CounterMetricFamily(
                    f"bridgework_webhook_{name}", documentation, value=getattr(stats, name)
                )
            )
    return families
