"""The console script as a user runs it: embedded PostgreSQL, a restart, the CLI commands."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

BRIDGEWORK = Path(sys.executable).with_name("bridgework")

REGISTER = """
mutation { registerOrganization(input: {name: "Lincoln Middle School", kind: SCHOOL}) {
  __typename ... on OrganizationRegistered { id position } } }
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"BRIDGEWORK_DATA_DIR": str(data_dir), "BRIDGEWORK_PORT": str(port)}
    return env


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script
        [str(BRIDGEWORK), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


class Server:
    def __init__(self, env: dict[str, str], port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(  # noqa: S603
            [str(BRIDGEWORK), "serve"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited early:\n{self.process.stdout.read()}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        pytest.fail("serve did not answer /health within 120 s")

    def graphql(self, query: str) -> dict:
        response = httpx.post(f"{self.url}/graphql", json={"query": query}, timeout=30)
        response.raise_for_status()
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        output, _ = self.process.communicate(timeout=60)
        assert self.process.returncode == 0, output
        return output


@pytest.mark.slow
def test_serve_keeps_everything_across_a_restart_and_the_cli_works_on_the_same_data(tmp_path):
    port = free_port()
    env = environment(tmp_path / "data", port)

    server = Server(env, port)
    created = server.graphql(REGISTER)["registerOrganization"]
    assert created["__typename"] == "OrganizationRegistered"
    ready = httpx.get(f"{server.url}/ready", timeout=10).json()
    assert ready["status"] == "ready"
    assert ready["head"] == created["position"]
    output = server.stop()
    assert "Application shutdown complete" in output

    demo = cli("demo", env=env)
    assert demo.returncode == 0, demo.stderr
    rebuild = cli("rebuild", "enrolment", env=env)
    assert rebuild.returncode == 0, rebuild.stderr
    assert "rebuilt enrolment" in rebuild.stderr
    unknown = cli("rebuild", "nonsense", env=env)
    assert unknown.returncode != 0
    assert "unknown projection(s): nonsense" in unknown.stderr

    server = Server(env, port)
    try:
        query = (
            f'{{ organization(id: "{created["id"]}") {{ name }} '
            "programs(first: 10) { edges { node { name } } } }"
        )
        data = server.graphql(query)
        assert data["organization"] == {"name": "Lincoln Middle School"}
        names = {e["node"]["name"] for e in data["programs"]["edges"]}
        assert "Robotics Club Mentorship" in names
    finally:
        server.stop()


def test_bad_configuration_is_refused_naming_the_variable(tmp_path):
    env = environment(tmp_path, free_port()) | {"BRIDGEWORK_POOL_MAX": "lots"}
    result = cli("migrate", env=env)
    assert result.returncode != 0
    assert "BRIDGEWORK_POOL_MAX='lots' is not a whole number" in result.stderr
