"""Delivered webhook messages are pruned once older than the retention, with their attempts;
messages still pending, dead-lettered or delivered recently stay, and the endpoint's place in
the log does not move, so nothing is sent again."""

from __future__ import annotations

import ipaddress
from uuid import uuid4

from bridgework.infra.crypto.kek import Keks, new_kek
from bridgework.infra.webhooks import retention
from bridgework.infra.webhooks.registry import PostgresWebhooks
from bridgework.infra.webhooks.settings import WebhookSettings
from bridgework.services.endpoints import DeliveryMode

SETTINGS = WebhookSettings(
    allow_networks=(ipaddress.ip_network("127.0.0.0/8"),), retention_seconds=7 * 86_400
)
MESSAGE = """INSERT INTO webhook_messages (endpoint_id, event_id, position, status, attempts,
  created_at, delivered_at) VALUES ($1, $2, $3, $4, 1, now() - make_interval(days => $5),
  CASE WHEN $4 = 'delivered' THEN now() - make_interval(days => $5) END) RETURNING seq"""


async def test_delivered_messages_older_than_the_retention_go_with_their_attempts(
    pool, monkeypatch
):
    registry = PostgresWebhooks(pool, Keks(new_kek()), SETTINGS)
    endpoint, _ = await registry.register(
        url="http://127.0.0.1:9/hook",
        event_types=None,
        mode=DeliveryMode.ORDERED,
        organisations=None,
        personal_data=False,
        created_by="test",
    )
    kinds = [("delivered", 30), ("delivered", 8), ("delivered", 1), ("dead", 30), ("pending", 30)]
    seqs = {}
    for n, (status, days) in enumerate(kinds, start=1):
        seq = await pool.fetchval(MESSAGE, endpoint.id, uuid4(), n, status, days)
        await pool.execute(
            "INSERT INTO webhook_attempts (message_seq, status_code, duration_ms)"
            " VALUES ($1, 200, 1)",
            seq,
        )
        seqs[status, days] = seq
    place = await pool.fetchrow(
        "SELECT after_tx, after_position FROM webhook_endpoints WHERE id = $1", endpoint.id
    )
    monkeypatch.setattr(retention, "BATCH", 1)  # a batch at a time, to the end
    assert await retention.prune(pool, SETTINGS.retention_seconds) == 2
    left = {r[0] for r in await pool.fetch("SELECT seq FROM webhook_messages")}
    assert left == {seqs["delivered", 1], seqs["dead", 30], seqs["pending", 30]}
    attempts = {r[0] for r in await pool.fetch("SELECT message_seq FROM webhook_attempts")}
    assert attempts == left
    assert (
        await pool.fetchrow(
            "SELECT after_tx, after_position FROM webhook_endpoints WHERE id = $1", endpoint.id
        )
        == place
    )
    assert await retention.prune(pool, SETTINGS.retention_seconds) == 0
