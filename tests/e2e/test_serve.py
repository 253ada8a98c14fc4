"""The console script as a user runs it: embedded PostgreSQL, a restart, the CLI commands."""

from __future__ import annotations

import json

import httpx
import pytest
from support.postgres import free_port
from support.serve import Serve, cli, environment

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
