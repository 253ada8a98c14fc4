"""The parts of a webhook delivery that need no database: where it may go (the guard, at send
time too), its signatures, `Retry-After`, and the settings."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from uuid import uuid4

import pytest
from bridgework.infra.env import SettingsError
from bridgework.infra.webhooks.guard import Refused, resolve
from bridgework.infra.webhooks.registry import new_secret
from bridgework.infra.webhooks.sender import Sender, retry_after, signature
from bridgework.infra.webhooks.settings import STANDARD_SCHEDULE, WebhookSettings
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from support.receiver import Receiver

NOTHING_ALLOWED = WebhookSettings()
LOOPBACK = WebhookSettings(allow_networks=(ipaddress.ip_network("127.0.0.1/32"),))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost/hook",
        "http://10.0.0.8/hook",
        "http://192.168.1.1/",
        "http://100.64.0.1/",  # shared address space
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",  # an IPv4 address mapped into IPv6
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "http://240.0.0.1/",
    ],
)
async def test_a_private_loopback_link_local_multicast_or_reserved_address_is_refused(url):
    with pytest.raises(Refused) as refused:
        await resolve(url, NOTHING_ALLOWED)
    assert refused.value.field == "url"


async def test_an_allow_listed_network_or_host_may_be_sent_to():
    assert await resolve("http://127.0.0.1:9/hook", LOOPBACK) == "127.0.0.1"
    by_name = WebhookSettings(allow_hosts=("localhost",))
    assert ipaddress.ip_address(await resolve("http://localhost/", by_name)).is_loopback
    with pytest.raises(Refused):
        await resolve("http://127.0.0.2/", LOOPBACK)  # only the /32 listed


async def test_the_send_refuses_a_destination_no_longer_allowed_and_sends_nothing():
    with Receiver() as receiver:
        sender = Sender(NOTHING_ALLOWED)
        try:
            outcome = await sender.send(receiver.url, uuid4(), "{}", [new_secret()[1]])
        finally:
            await sender.close()
    assert not outcome.delivered
    assert outcome.status_code is None
    assert "private" in (outcome.error or "")
    assert receiver.deliveries == []


async def test_a_delivery_carries_a_signature_per_secret_each_verifying_on_its_own():
    (old, old_raw), (new, new_raw) = new_secret(), new_secret()
    with Receiver(secrets=[old]) as receiver:
        sender = Sender(LOOPBACK)
        try:
            event_id = uuid4()
            outcome = await sender.send(receiver.url, event_id, '{"a": 1}', [old_raw, new_raw])
        finally:
            await sender.close()
    assert outcome.delivered
    (delivery,) = receiver.deliveries
    assert delivery.webhook_id == str(event_id)
    assert delivery.event == {"a": 1}
    assert len(delivery.headers["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(delivery.body, delivery.headers) == {"a": 1}
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()[0]).verify(delivery.body, delivery.headers)


def test_a_signature_is_what_the_standard_webhooks_library_computes():
    shown, raw = new_secret()
    at = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert signature([raw], "msg_1", at, "{}") == Webhook(shown).sign("msg_1", at, "{}")


def test_retry_after_reads_seconds_or_a_date_and_is_capped_at_a_day():
    assert retry_after("120") == 120.0
    assert retry_after("99999999") == 86_400.0
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    assert 3500 < (retry_after(later) or 0) <= 3600
    assert retry_after("soon") is None
    assert retry_after(None) is None


def test_settings_read_the_schedule_and_the_allow_list_and_name_a_bad_variable():
    assert WebhookSettings.from_env({}).retry_schedule == STANDARD_SCHEDULE
    quick = WebhookSettings.from_env(
        {
            "BRIDGEWORK_WEBHOOK_RETRY_SCHEDULE": "0,1,2",
            "BRIDGEWORK_WEBHOOK_ALLOW": "127.0.0.1/32, 10.0.0.0/8,hooks.internal",
            "BRIDGEWORK_RUN_WEBHOOKS": "false",
            "BRIDGEWORK_WEBHOOK_RETENTION": "86400",
        }
    )
    assert quick.retention_seconds == 86_400
    assert WebhookSettings.from_env({}).retention_seconds == 30 * 86_400
    assert quick.retry_schedule == (0.0, 1.0, 2.0)
    assert [str(n) for n in quick.allow_networks] == ["127.0.0.1/32", "10.0.0.0/8"]
    assert quick.allow_hosts == ("hooks.internal",)
    assert not quick.run_worker
    for name, value in (
        ("BRIDGEWORK_WEBHOOK_RETRY_SCHEDULE", "0,soon"),
        ("BRIDGEWORK_WEBHOOK_RETRY_SCHEDULE", "-1"),
        ("BRIDGEWORK_WEBHOOK_ALLOW", "10.0.0.0/99"),
        ("BRIDGEWORK_WEBHOOK_SECRET_OVERLAP", "0"),
        ("BRIDGEWORK_WEBHOOK_RETENTION", "a month"),
    ):
        with pytest.raises(SettingsError, match=name):
            WebhookSettings.from_env({name: value})


async def test_a_redirect_is_not_followed_and_counts_as_a_failure():
    with Receiver() as elsewhere, Receiver(answers=[(307, {"Location": elsewhere.url})]) as first:
        sender = Sender(LOOPBACK)
        try:
            outcome = await sender.send(first.url, uuid4(), "{}", [new_secret()[1]])
        finally:
            await sender.close()
    assert (outcome.status_code, outcome.delivered) == (307, False)
    assert outcome.error == "HTTP 307 (redirects are not followed)"
    assert elsewhere.deliveries == []
