"""What a webhook endpoint's failures come to: retries on the (configured) schedule with the
attempts in the delivery log, `Retry-After` honoured, 410 Gone disabling the endpoint at
once, dead letters after the last retry, one message redelivered and every failure replayed,
and an endpoint failing for too long disabled."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

from bridgework.infra.app import create_app
from bridgework.infra.webhooks.settings import WebhookSettings
from litestar.testing import TestClient
from support.api import Api, org
from support.webhooks import ENABLE, REDELIVER, REPLAY, endpoints, register, until

from tests.api.conftest import settings


def messages(api: Api) -> list[dict]:
    """The one endpoint's messages, oldest first."""
    (endpoint,) = endpoints(api)
    return list(reversed(endpoint["messages"]))


def recorded(api: Api, status: str) -> list[dict] | None:
    """The messages once the newest one's outcome is `status`."""
    found = messages(api)
    return found if found and found[-1]["status"] == status else None


def test_a_failing_receiver_is_retried_and_every_attempt_is_logged(hooks, receiver):
    made = register(hooks, receiver.url)
    receiver.secrets, receiver.answers = [made["secret"]], [500, 503]
    org(hooks, "Retried")
    (event,) = receiver.wait_for(1)
    (message,) = until(lambda: [m for m in messages(hooks) if m["status"] == "DELIVERED"])
    assert message["eventId"] == event["id"]
    assert message["attempts"] == 3
    assert [a["statusCode"] for a in message["attemptLog"]] == [500, 503, 204]
    assert all(a["durationMs"] >= 0 for a in message["attemptLog"])
    assert endpoints(hooks)[0]["failingSince"] is None  # a success clears it


def test_retry_after_is_honoured_and_a_message_can_be_sent_again_at_once(hooks, receiver):
    made = register(hooks, receiver.url)
    receiver.secrets, receiver.answers = [made["secret"]], [(503, {"Retry-After": "3600"})]
    org(hooks, "Later")
    (message,) = until(lambda: [m for m in messages(hooks) if m["lastError"]])
    waits = datetime.fromisoformat(message["nextAttemptAt"]) - datetime.now(UTC)
    assert waits > timedelta(minutes=50)  # the schedule said 0.2 s; the receiver said an hour
    assert receiver.events() == []
    again = {"endpointId": made["id"], "eventId": message["eventId"]}
    sent = hooks.data(REDELIVER, {"input": again})["redeliverWebhookMessage"]
    assert sent["__typename"] == "WebhookEndpointUpdated", sent
    (event,) = receiver.wait_for(1)
    assert event["id"] == message["eventId"]
    unknown = {"endpointId": made["id"], "eventId": made["id"]}
    missing = hooks.data(REDELIVER, {"input": unknown})["redeliverWebhookMessage"]
    assert missing == {"__typename": "NotFoundError", "field": "eventId"}


def test_410_gone_disables_the_endpoint_at_once_and_nothing_is_lost(hooks, receiver):
    made = register(hooks, receiver.url)
    receiver.secrets, receiver.answers = [made["secret"]], [410]
    org(hooks, "Gone")
    (endpoint,) = until(lambda: [e for e in endpoints(hooks) if e["disabledAt"]])
    assert "410" in endpoint["disabledReason"]
    org(hooks, "While disabled")
    hooks.data(ENABLE, {"input": {"id": made["id"]}})
    got = receiver.wait_for(2)
    assert [e["data"]["name"] for e in got] == ["Gone", "While disabled"]


def test_the_last_failure_dead_letters_a_message_and_a_replay_sends_it_again(hooks, receiver):
    made = register(hooks, receiver.url)  # ordered: a dead letter does not hold the next back
    receiver.secrets, receiver.answers = [made["secret"]], [500, 500, 500]
    org(hooks, "Dead")
    org(hooks, "Alive")
    (alive,) = receiver.wait_for(1)
    assert alive["data"]["name"] == "Alive"
    # The receiver has it a moment before its outcome is recorded.
    dead, _ = until(lambda: recorded(hooks, "DELIVERED"))
    assert (dead["status"], dead["attempts"], dead["lastError"]) == ("DEAD", 3, "HTTP 500")
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    replayed = hooks.data(REPLAY, {"input": {"endpointId": made["id"], "since": since}})
    assert replayed["replayWebhooks"] == {
        "__typename": "WebhookEndpointUpdated",
        "id": made["id"],
        "count": 1,
    }
    got = receiver.wait_for(2)
    assert [e["data"]["name"] for e in got] == ["Alive", "Dead"]
    naive = {"endpointId": made["id"], "since": "2026-01-01T00:00:00"}
    refused = hooks.data(REPLAY, {"input": naive})["replayWebhooks"]
    assert refused == {"__typename": "ValidationError", "field": "since"}


def test_an_endpoint_failing_longer_than_allowed_is_disabled_with_the_reason(
    database_url, tokens, receiver
):
    soon = WebhookSettings(
        allow_networks=(ipaddress.ip_network("127.0.0.0/8"),),
        retry_schedule=(0, 1, 1, 1, 1),
        disable_after_seconds=0.5,
        poll_seconds=0.2,
    )
    with TestClient(create_app(settings(database_url, webhooks=soon))) as client:
        api = Api(client, tokens)
        made = register(api, receiver.url)
        receiver.secrets, receiver.answers = [made["secret"]], [500] * 5
        org(api, "Failing")
        (endpoint,) = until(lambda: [e for e in endpoints(api) if e["disabledAt"]])
        assert endpoint["disabledReason"].startswith("failing since ")
        assert endpoint["disabledReason"].endswith("HTTP 500")
        assert [m["status"] for m in endpoint["messages"]] == ["PENDING"]
        scraped = client.get("/metrics", headers=api.headers()).text
        assert 'bridgework_webhook_endpoints{state="disabled"} 1.0' in scraped
        assert "bridgework_webhook_endpoints_disabled_total 1.0" in scraped
