"""What operators see of webhooks: each endpoint's state and its messages waiting or dead
(`bridgework status`), the same summed for `/metrics`, and this process's worker's counters."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from uuid import UUID

import msgspec
from bridgework.infra.terminal import aligned
from bridgework.infra.webhooks.fanout import LIVE
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

if TYPE_CHECKING:
    import asyncpg
    from bridgework.infra.webhooks.worker import WebhookStats
    from prometheus_client import Metric

# Per endpoint, over its undelivered messages only: the pending and the dead partial indexes.
_ENDPOINTS = f"""
SELECT e.id, e.url, e.mode, e.disabled_at IS NOT NULL, NOT ({LIVE}), e.disabled_reason,
       e.failing_since IS NOT NULL, m.pending, m.retrying, m.dead, m.oldest
FROM webhook_endpoints AS e CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
           count(*) FILTER (WHERE status = 'pending' AND last_error IS NOT NULL
                            AND attempts > 0) AS retrying,
           count(*) FILTER (WHERE status = 'dead') AS dead,
           coalesce(extract(epoch FROM clock_timestamp()
                    - min(created_at) FILTER (WHERE status = 'pending')), 0)::float8 AS oldest
    FROM webhook_messages
    WHERE endpoint_id = e.id AND (status = 'pending' OR status = 'dead')  -- two partial indexes
) AS m
ORDER BY e.created_at, e.id
"""  # noqa: S608 - the only interpolation is a constant condition


class EndpointCounts(msgspec.Struct, frozen=True):
    """One endpoint as `bridgework status` shows it: never its secret, path or query."""

    id: UUID
    host: str
    """The URL's host (and port, if it names one)."""
    mode: str
    state: str
    """`enabled`, `disabled`, or `stopped` (registered by an API key revoked since)."""
    reason: str | None
    """Why it is disabled or stopped."""
    failing: bool
    """It failed since its last success."""
    pending: int
    """Messages still to be sent, of which `retrying` after a failed attempt."""
    retrying: int
    dead: int
    """Dead-lettered after their last attempt (`replayWebhooks` sends them again)."""
    oldest_pending_seconds: float
    """How long the oldest pending message has waited (0: none)."""


def _host(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "?"
    host = f"[{host}]" if ":" in host else host
    return host if parts.port is None else f"{host}:{parts.port}"


def _state(disabled: bool, stopped: bool, reason: str | None) -> tuple[str, str | None]:  # noqa: FBT001
    if disabled:
        return "disabled", " ".join((reason or "no reason recorded").split())
    if stopped:
        return "stopped", "the API key that registered it was revoked"
    return "enabled", None


async def webhook_endpoints(pool: asyncpg.Pool) -> list[EndpointCounts]:
    """Every endpoint, in the order registered, with its messages waiting and dead."""
    return [
        EndpointCounts(id_, _host(url), mode, *_state(disabled, stopped, reason), *rest)
        for id_, url, mode, disabled, stopped, reason, *rest in await pool.fetch(_ENDPOINTS)
    ]


def webhook_report(found: list[EndpointCounts]) -> str:
    """One row per endpoint for `bridgework status`."""
    if not found:
        return "webhooks: no endpoints registered\n"
    header = ("WEBHOOK ENDPOINT", "HOST", "MODE", "PENDING", "RETRYING", "DEAD", "OLDEST (S)")
    rows = [(*header, "STATE")]
    for e in found:
        state = f"{e.state}: {e.reason}" if e.reason else e.state
        state += ", failing" if e.failing and e.state == "enabled" else ""
        counts = (f"{e.pending:,}", f"{e.retrying:,}", f"{e.dead:,}")
        rows.append((str(e.id), e.host, e.mode, *counts, f"{e.oldest_pending_seconds:.1f}", state))
    return aligned(rows)


async def webhook_families(pool: asyncpg.Pool, stats: WebhookStats | None) -> list[Metric]:
    found = await webhook_endpoints(pool)
    pending, dead = sum(e.pending for e in found), sum(e.dead for e in found)
    disabled = sum(e.state == "disabled" for e in found)
    failing = sum(e.failing for e in found)
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
