"""An endpoint the delivery worker disables is disabled with an event: one
`WebhookEndpointDisabled` per failure however often it is recorded (a worker killed between
the event and the disabling records it again), scoped to the endpoint's organisations, and
sent by nobody but the deployment."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from bridgework.infra.webhooks.disabling import WORKER
from bridgework.services.context import CommandContext
from bridgework.services.errors import Forbidden
from bridgework.services.ports import ORIGIN
from bridgework.services.webhooks import RecordEndpointDisabled, record_endpoint_disabled
from support.context import staff_of

SCHOOL, OTHER = uuid.uuid4(), uuid.uuid4()


def worker() -> CommandContext:
    return CommandContext(actor=WORKER, correlation_id=uuid.uuid4(), command_uuid=uuid.uuid4())


def disabled(endpoint_id: uuid.UUID, cause: str) -> RecordEndpointDisabled:
    return RecordEndpointDisabled(
        endpoint_id=endpoint_id,
        cause=cause,
        url="https://sis.example.org/hooks?token=secret",
        reason="failing since then: HTTP 500",
        failing_since=datetime(2026, 11, 28, 9, 0, tzinfo=UTC),
        organization_ids=[SCHOOL],
    )


async def test_the_same_failure_is_recorded_once_and_a_new_one_again(deps, store):
    endpoint = uuid.uuid4()
    first = await record_endpoint_disabled(deps, worker(), disabled(endpoint, "failing-since:a"))
    again = await record_endpoint_disabled(deps, worker(), disabled(endpoint, "failing-since:a"))
    later = await record_endpoint_disabled(deps, worker(), disabled(endpoint, "gone:17"))
    assert (again.id, again.status) == (first.id, "RECORDED")
    assert later.id != first.id
    events = await store.read_after(ORIGIN, 100, types=["WebhookEndpointDisabled"])
    assert [e.stream_id for e in events] == [f"disabling-{first.id}", f"disabling-{later.id}"]
    decoded = deps.codec.decode(events[0])
    assert (decoded.endpoint_id, decoded.host) == (endpoint, "sis.example.org")  # no token
    assert events[0].metadata.actor == "administrator:webhook-worker"


async def test_the_event_is_seen_only_within_the_endpoints_organisations(deps, store):
    await record_endpoint_disabled(deps, worker(), disabled(uuid.uuid4(), "gone:1"))
    types = ["WebhookEndpointDisabled"]
    assert len(await store.read_after(ORIGIN, 10, types=types, scope=frozenset({SCHOOL}))) == 1
    assert await store.read_after(ORIGIN, 10, types=types, scope=frozenset({OTHER})) == []


async def test_nobody_but_the_deployment_records_a_disabling(deps, store):
    with pytest.raises(Forbidden):
        await record_endpoint_disabled(deps, staff_of(SCHOOL), disabled(uuid.uuid4(), "gone:1"))
    assert await store.read_after(ORIGIN, 10) == []
