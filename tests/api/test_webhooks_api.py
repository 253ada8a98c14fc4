"""Webhook endpoints over GraphQL, delivered by the in-process worker to a local receiver
that verifies every signature with the `standardwebhooks` library."""

from __future__ import annotations

from uuid import UUID

import pytest
from bridgework.infra.auth.apikeys import ApiKeys
from bridgework.services.identity import Role
from support.api import STUDENT_AT, org
from support.receiver import Receiver
from support.webhooks import DISABLE, ENABLE, REGISTER, ROTATE, endpoints, register

EVENTS = "{ events(first: 1000) { edges { node { eventId type } } } }"


def test_a_registered_endpoint_receives_every_later_event_signed_and_in_order(hooks, receiver):
    made = register(hooks, receiver.url)
    assert made["__typename"] == "WebhookEndpointRegistered", made
    assert made["secret"].startswith("whsec_")
    assert made["endpoint"]["mode"] == "ORDERED"
    assert made["endpoint"]["activeSecrets"] == 1
    receiver.secrets = [made["secret"]]
    school = org(hooks, "Hook School")["id"]
    for name in ("Ana Lima", "Bo Chen", "Cy Dee"):
        hooks.data(STUDENT_AT, {"name": name, "school": school})
    # An organisation and three students: four events. The log is read after they arrived:
    # read before, a projection's transaction begun before the last write committed could
    # still hold the gap-safe read back from it (the worker reads the same way, later).
    got = receiver.wait_for(4)
    log = [e["node"] for e in hooks.data(EVENTS)["events"]["edges"]]
    assert receiver.unverified() == []
    assert [e["id"] for e in got] == [e["eventId"] for e in log]
    assert [d.webhook_id for d in receiver.deliveries] == [e["id"] for e in got]
    assert got[0]["type"] == "bridgework.directory.OrganizationRegistered"
    assert got[1]["data"]["name"] is None  # not asked for personal data: redacted
    assert "secret" not in str(endpoints(hooks))


def test_a_rotated_secret_signs_beside_the_old_one(hooks, receiver):
    made = register(hooks, receiver.url)
    rotated = hooks.data(ROTATE, {"input": {"id": made["id"]}})["rotateWebhookSecret"]
    assert rotated["__typename"] == "WebhookSecretRotated", rotated
    assert rotated["secret"] != made["secret"]
    assert endpoints(hooks)[0]["activeSecrets"] == 2
    receiver.secrets = [made["secret"]]
    org(hooks, "First")
    receiver.wait_for(1)
    receiver.secrets = [rotated["secret"]]
    org(hooks, "Second")
    receiver.wait_for(2)
    assert receiver.unverified() == []
    for delivery in receiver.deliveries:
        assert len(delivery.headers["webhook-signature"].split(" ")) == 2


def test_personal_data_is_sent_only_when_the_registrant_is_granted_it(hooks, receiver):
    school = org(hooks, "Personal School")["id"]
    coordinator = hooks.tokens.bearer(Role.COORDINATOR, organisations=frozenset({school}))
    refused = register(hooks, receiver.url, coordinator, personalData=True)
    assert refused["__typename"] == "ForbiddenError", refused
    made = register(hooks, receiver.url, personalData=True)  # staff: granted
    receiver.secrets = [made["secret"]]
    hooks.data(STUDENT_AT, {"name": "Ana Lima", "school": school})
    (event,) = receiver.wait_for(1)
    assert event["data"]["name"] == "Ana Lima"


def test_a_coordinator_registers_only_for_their_organisations_and_sees_only_theirs(hooks, receiver):
    a, b = org(hooks, "A")["id"], org(hooks, "B")["id"]
    of_a = hooks.tokens.bearer(Role.COORDINATOR, organisations=frozenset({a}))
    of_b = hooks.tokens.bearer(Role.COORDINATOR, organisations=frozenset({b}))
    theirs = register(hooks, receiver.url, of_a, organizationIds=[b])
    assert theirs["__typename"] == "ForbiddenError", theirs
    students = ["bridgework.directory.StudentRegistered"]
    made = register(hooks, receiver.url, of_a, eventTypes=students)
    assert made["endpoint"]["organizationIds"] == [a]
    assert [e["id"] for e in endpoints(hooks, of_a)] == [made["id"]]
    assert endpoints(hooks, of_b) == []
    other = hooks.data(DISABLE, {"input": {"id": made["id"]}}, authorization=of_b)
    assert other["disableWebhookEndpoint"] == {
        "__typename": "NotFoundError",
        "field": "id",
        "message": other["disableWebhookEndpoint"]["message"],
    }
    receiver.secrets = [made["secret"]]
    hooks.data(STUDENT_AT, {"name": "At B", "school": b})
    hooks.data(STUDENT_AT, {"name": "At A", "school": a})
    (event,) = receiver.wait_for(1)
    assert event["type"] == "bridgework.directory.StudentRegistered"
    assert event["subject"].startswith("student-")
    student = hooks.data(EVENTS)["events"]["edges"][-1]["node"]
    assert event["id"] == student["eventId"]  # A's student, not B's


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.org/hook", "http or https"),
        ("http://user:pw@127.0.0.1/hook", "credentials"),
        ("http:///nohost", "host"),
        ("http://127.0.0.1/\x07", "control"),
        ("http://127.0.0.1/" + "a" * 2000, "at most 2000"),
        ("http://10.1.2.3/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "private"),
        ("http://[::1]/hook", "private"),
        ("http://no-such-host.invalid/hook", "does not resolve"),
    ],
)
def test_a_bad_or_private_url_is_refused_naming_url_and_nothing_is_registered(hooks, url, says):
    refused = register(hooks, url)
    assert refused["__typename"] == "ValidationError", refused
    assert refused["field"] == "url"
    assert says in refused["message"]
    assert endpoints(hooks) == []


def test_bad_input_of_every_other_kind_is_refused_naming_the_field(hooks, receiver):
    unknown = register(hooks, receiver.url, eventTypes=["StudentRegistered"])
    assert (unknown["__typename"], unknown["field"]) == ("ValidationError", "eventTypes[0]")
    body = hooks.post(REGISTER, {"input": {"url": 42}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    missing = hooks.data(ROTATE, {"input": {"id": "00000000-0000-4000-8000-000000000000"}})
    assert missing["rotateWebhookSecret"]["__typename"] == "NotFoundError"
    not_an_id = hooks.data(ROTATE, {"input": {"id": "nope"}})["rotateWebhookSecret"]
    assert (not_an_id["__typename"], not_an_id["field"]) == ("ValidationError", "id")
    mentor = hooks.tokens.bearer(Role.MENTOR)
    assert register(hooks, receiver.url, mentor)["__typename"] == "ForbiddenError"
    assert endpoints(hooks) == []


def test_a_disabled_endpoint_receives_what_happened_meanwhile_once_enabled(hooks, receiver):
    made = register(hooks, receiver.url)
    receiver.secrets = [made["secret"]]
    off = hooks.data(DISABLE, {"input": {"id": made["id"]}})["disableWebhookEndpoint"]
    assert off["endpoint"]["disabledAt"] is not None
    org(hooks, "While off")
    on = hooks.data(ENABLE, {"input": {"id": made["id"]}})["enableWebhookEndpoint"]
    assert on["endpoint"]["disabledAt"] is None
    (event,) = receiver.wait_for(1)
    assert event["data"]["name"] == "While off"


def test_an_integration_key_registers_endpoints_only_within_its_own_scope(hooks, receiver):
    school, other = org(hooks, "Keyed School")["id"], org(hooks, "Other")["id"]
    keys = ApiKeys(hooks.client.app.state.api.pool)
    _, key = hooks.client.blocking_portal.call(
        lambda: keys.create(
            name="SIS",
            organisations=[UUID(school)],
            created_by="test",
            event_types=["StudentRegistered"],
        )
    )
    bearer = f"Bearer {key}"
    wider = register(
        hooks, receiver.url, bearer, eventTypes=["bridgework.directory.ProgramLaunched"]
    )
    assert wider["__typename"] == "ForbiddenError", wider
    assert register(hooks, receiver.url, bearer, organizationIds=[other])["__typename"] == (
        "ForbiddenError"
    )
    assert register(hooks, receiver.url, bearer, personalData=True)["__typename"] == (
        "ForbiddenError"
    )
    made = register(hooks, receiver.url, bearer)
    assert made["endpoint"]["eventTypes"] == ["bridgework.directory.StudentRegistered"]
    assert made["endpoint"]["organizationIds"] == [school]
    assert [e["id"] for e in endpoints(hooks, bearer)] == [made["id"]]
    receiver.secrets = [made["secret"]]
    hooks.data(STUDENT_AT, {"name": "Elsewhere", "school": other})
    hooks.data(STUDENT_AT, {"name": "Keyed", "school": school})
    (event,) = receiver.wait_for(1)
    assert event["type"] == "bridgework.directory.StudentRegistered"
    assert event["data"]["schoolId"] == school


def test_an_endpoint_a_revoked_key_registered_is_sent_nothing_more(hooks, receiver):
    school = org(hooks, "Revoking School")["id"]
    keys = ApiKeys(hooks.client.app.state.api.pool)
    record, key = hooks.client.blocking_portal.call(
        lambda: keys.create(name="SIS", organisations=[UUID(school)], created_by="test")
    )
    keyed = register(hooks, receiver.url, f"Bearer {key}")
    receiver.secrets = [keyed["secret"]]
    hooks.data(STUDENT_AT, {"name": "Before", "school": school})
    receiver.wait_for(1)
    hooks.client.blocking_portal.call(lambda: keys.revoke(record.id))
    with Receiver() as everything:
        staff = register(hooks, everything.url)
        everything.secrets = [staff["secret"]]
        hooks.data(STUDENT_AT, {"name": "After", "school": school})
        (after,) = everything.wait_for(1)  # the fan-out's round that saw it passed the keyed one
    messages = {e["id"]: e["messages"] for e in endpoints(hooks)}
    assert after["id"] not in {m["eventId"] for m in messages[keyed["id"]]}
    assert [e["data"]["name"] for e in receiver.events()] == [None]  # "Before", redacted


def test_a_read_only_key_may_not_register_an_endpoint_and_nothing_is_registered(hooks, receiver):
    school = org(hooks, "Read-only School")["id"]
    keys = ApiKeys(hooks.client.app.state.api.pool)
    _, key = hooks.client.blocking_portal.call(
        lambda: keys.create(
            name="Warehouse", organisations=[UUID(school)], created_by="test", read_only=True
        )
    )
    refused = register(hooks, receiver.url, f"Bearer {key}")
    assert refused["__typename"] == "ForbiddenError", refused
    assert "read-only" in refused["message"]
    assert endpoints(hooks, f"Bearer {key}") == []
