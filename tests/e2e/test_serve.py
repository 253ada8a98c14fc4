"""The console script as a user runs it: embedded PostgreSQL, a restart, the CLI commands."""

from __future__ import annotations

import asyncio
import json
import re
import time

import httpx
import pytest
from support.api import ORG, STUDENT_AT
from support.postgres import free_port
from support.receiver import Receiver
from support.serve import CLIENT_SECONDS, Serve, cli, environment, payload, run
from support.webhooks import DISABLE, ENDPOINTS
from support.webhooks import REGISTER as REGISTER_ENDPOINT

LOG = "{ events(first: 1000) { edges { node { position metadata { actor } } } } }"
REGISTER = """
mutation { registerOrganization(input: {name: "Lincoln Middle School", kind: SCHOOL}) {
  __typename ... on OrganizationRegistered { id position } } }
"""


@pytest.mark.slow
def test_serve_keeps_everything_across_a_restart_and_the_cli_works_on_the_same_data(fresh_data_dir):
    port = free_port()
    with Serve(fresh_data_dir, port=port) as server:
        created = server.graphql(REGISTER)["registerOrganization"]
        assert created["__typename"] == "OrganizationRegistered"
        ready = httpx.get(f"{server.url}/ready", timeout=10).json()
        assert ready["status"] == "ready"
        assert ready["head"] == created["position"]
        output = server.stop()
    assert "Application shutdown complete" in output

    demo = cli("demo", "--data-dir", str(fresh_data_dir))
    assert demo.returncode == 0, demo.stderr
    rebuild = cli("rebuild", "enrolment", "--data-dir", str(fresh_data_dir))
    assert rebuild.returncode == 0, rebuild.stderr
    assert "rebuilt enrolment" in rebuild.stderr
    assert "events/s" in rebuild.stderr  # its progress
    status = cli("status", "--json", "--data-dir", str(fresh_data_dir))
    assert status.returncode == 0, status.stderr
    health = json.loads(status.stdout)
    assert health["head"] > 400
    assert {p["name"] for p in health["projections"]} >= {"enrolment", "directory", "timeline"}
    assert all(p["position"] == health["head"] and p["parked"] == 0 for p in health["projections"])
    assert health["held_back_by"] is None
    readable = cli("status", "--data-dir", str(fresh_data_dir))
    assert f"log head: position {health['head']:,}" in readable.stdout
    assert "0 open parked event(s)" in readable.stdout
    assert health["webhooks"] == []
    assert health["feed_consumers"] == []
    assert "webhooks: no endpoints registered\nfeed consumers: none registered\n" in readable.stdout
    unknown = cli("rebuild", "nonsense", "--data-dir", str(fresh_data_dir))
    assert unknown.returncode != 0
    assert "unknown projection(s): nonsense" in unknown.stderr

    with Serve(fresh_data_dir, port=port) as server:
        query = (
            f'{{ organization(id: "{created["id"]}") {{ name }} '
            "programs(first: 10) { edges { node { name } } } }"
        )
        data = server.graphql(query)
        assert data["organization"] == {"name": "Lincoln Middle School"}
        names = {e["node"]["name"] for e in data["programs"]["edges"]}
        assert "Robotics Club Mentorship" in names


CREATE_KEY = """mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
  __typename ... on ApiKeyCreated { id key } ... on UserError { message } } }"""


async def endpoint(admin, url: str, mode: str) -> dict:
    made = await run(admin, REGISTER_ENDPOINT, input={"url": url, "mode": mode})
    assert made["registerWebhookEndpoint"]["__typename"] == "WebhookEndpointRegistered", made
    return made["registerWebhookEndpoint"]


async def settled(admin, endpoint_id: str) -> list[dict]:
    """The endpoint's messages once one is dead and one waits after a failed attempt."""
    deadline = time.monotonic() + CLIENT_SECONDS * 2
    while True:
        found = (await run(admin, ENDPOINTS))["webhookEndpoints"]
        messages = next(e for e in found if e["id"] == endpoint_id)["messages"]
        states = sorted((m["status"], m["lastError"] is not None) for m in messages)
        if states == [("DEAD", True), ("PENDING", True)]:
            return messages
        if time.monotonic() > deadline:
            pytest.fail(f"the messages never settled: {messages}")
        await asyncio.sleep(0.1)


async def test_status_shows_each_webhook_endpoint_and_each_feed_consumer(data_dir):
    receiver = Receiver(answers=[500, 500, (503, {"Retry-After": "3600"})]).start()
    env = environment(
        BRIDGEWORK_WEBHOOK_ALLOW="127.0.0.1/32",
        BRIDGEWORK_WEBHOOK_RETRY_SCHEDULE="0,0",  # a second failure is the last
        BRIDGEWORK_WEBHOOK_POLL="1",
    )
    try:
        with Serve(data_dir, env=env) as server:
            async with server.http() as admin:
                school = (await payload(admin, ORG, name="Status School", kind="SCHOOL"))["id"]
                await payload(admin, STUDENT_AT, name="Ana", school=school)
                key_input = {"name": "SIS", "organizationIds": [school]}
                made = (await run(admin, CREATE_KEY, input=key_input))["createApiKey"]
                bearer = {"Authorization": f"Bearer {made['key']}"}
                async with httpx.AsyncClient(base_url=server.url, headers=bearer) as sis:
                    feed = await sis.get("/feed", params={"consumer": "sis", "limit": "1"})
                    cursor = feed.headers["bridgework-next-cursor"]
                    acked = await sis.post("/feed/consumers/sis/ack", json={"cursor": cursor})
                    assert acked.status_code == 200, acked.text
                hook = await endpoint(admin, receiver.url + "?token=not-for-status", "ORDERED")
                off = await endpoint(admin, "http://127.0.0.1:9/off", "PARALLEL")
                await run(admin, DISABLE, input={"id": off["id"]})
                for name in ("Dead Letter Org", "Waiting Org"):
                    await payload(admin, ORG, name=name, kind="BUSINESS")
                await settled(admin, hook["id"])
            server.stop()
    finally:
        receiver.stop()
    status = cli("status", "--json", "--data-dir", str(data_dir), env=env)
    assert status.returncode == 0, status.stderr
    found = json.loads(status.stdout)
    waiting, stopped = found["webhooks"]
    assert waiting.pop("oldest_pending_seconds") > 0
    host = f"127.0.0.1:{receiver.port}"
    assert waiting == {
        "id": hook["id"],
        "host": host,
        "mode": "ordered",
        "state": "enabled",
        "reason": None,
        "failing": True,
        "pending": 1,
        "retrying": 1,
        "dead": 1,
    }
    assert stopped["state"] == "disabled"
    assert stopped["reason"].startswith("disabled by ")
    assert (stopped["pending"], stopped["dead"], stopped["oldest_pending_seconds"]) == (0, 0, 0)
    (consumer,) = found["feed_consumers"]
    assert consumer.pop("seconds") > 0
    position = acked.json()["position"]
    behind = found["head"] - position
    assert consumer == {
        "owner": f"apikey:{made['id']}",
        "name": "sis",
        "position": position,
        "events": behind,
    }
    readable = cli("status", "--data-dir", str(data_dir), env=env).stdout
    assert "token" not in readable
    row = rf"{hook['id']}  {re.escape(host)}\s+ordered\s+1\s+1\s+1\s+\d+\.\d\s+enabled, failing"
    assert re.search(f"^{row}$", readable, re.MULTILINE), readable
    row = rf"{off['id']}  127\.0\.0\.1:9 .* disabled: disabled by \S+"
    assert re.search(f"^{row}$", readable, re.MULTILINE), readable
    row = rf"sis\s+apikey:{made['id']}\s+{position:,}\s+{behind:,}\s+\d+\.\d"
    assert re.search(f"^{row}$", readable, re.MULTILINE), readable


def test_bad_configuration_is_refused_naming_the_variable(fresh_data_dir):
    env = environment(BRIDGEWORK_DATA_DIR=str(fresh_data_dir), BRIDGEWORK_POOL_MAX="lots")
    result = cli("migrate", env=env)
    assert result.returncode != 0
    assert "BRIDGEWORK_POOL_MAX='lots' is not a whole number" in result.stderr


def test_every_command_lists_its_options_and_a_bad_option_is_refused():
    serve_help = cli("serve", "--help")
    assert serve_help.returncode == 0
    for option in ("--host", "--port", "--data-dir"):
        assert option in serve_help.stdout
    bad = cli("serve", "--port", "99999")
    assert bad.returncode == 2
    assert "--port: 99999 is not a port number" in bad.stderr


def test_json_logs_are_one_object_a_line(fresh_data_dir):
    result = cli("migrate", "--log-format", "json", "--data-dir", str(fresh_data_dir))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert any(line["message"] == "database is migrated" for line in lines)
    assert all({"time", "level", "name", "message"} <= line.keys() for line in lines)


def test_an_unknown_log_format_is_refused_naming_the_variable(fresh_data_dir):
    env = environment(BRIDGEWORK_DATA_DIR=str(fresh_data_dir), BRIDGEWORK_LOG_FORMAT="xml")
    result = cli("migrate", env=env)
    assert result.returncode == 2
    assert "BRIDGEWORK_LOG_FORMAT='xml' is not text or json" in result.stderr


def test_serve_prints_an_administrators_token_that_works_in_graphiqls_headers(server):
    output = server.wait_for_output('{"Authorization": "Bearer ')
    line = next(x for x in output.splitlines() if x.startswith('{"Authorization": "Bearer '))
    headers = json.loads(line)
    response = httpx.post(
        f"{server.url}/graphql", json={"query": REGISTER}, headers=headers, timeout=60
    )
    created = response.json()["data"]["registerOrganization"]
    assert created["__typename"] == "OrganizationRegistered"
    log = server.graphql(
        "{ events(first: 1000) { edges { node { position metadata { actor } } } } }"
    )
    [mine] = [e for e in log["events"]["edges"] if e["node"]["position"] == created["position"]]
    assert mine["node"]["metadata"]["actor"] == "administrator:admin"
