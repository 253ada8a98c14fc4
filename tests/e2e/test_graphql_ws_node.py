"""The official npm `graphql-ws` client (what JavaScript front ends use) follows the `events`
subscription of the real server: it gets exactly what was written over HTTP, in order."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support.api import ORG
from support.serve import CLIENT_SECONDS, read_log, run

NODE_DIR = Path(__file__).with_name("node")
SCRIPT_FIELDS = ("position", "cursor", "eventId", "streamId", "type", "payload")
"""What subscribe.mjs selects."""


@pytest.fixture(scope="module")
def node() -> str:
    """`node`, with the locked graphql-ws and ws installed into node/node_modules (once)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH, so the npm graphql-ws client cannot run")
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("node is on PATH but npm is not: cannot install the graphql-ws client")
    lock = NODE_DIR / "package-lock.json"
    installed = NODE_DIR / "node_modules" / ".package-lock.json"  # npm writes it last
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        result = subprocess.run(  # noqa: S603 - npm from PATH, fixed arguments
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"npm ci failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return node


async def printed_line(script: asyncio.subprocess.Process) -> dict:
    assert script.stdout is not None
    assert script.stderr is not None
    line = await asyncio.wait_for(script.stdout.readline(), CLIENT_SECONDS)
    if not line:
        await script.wait()
        errors = (await script.stderr.read()).decode()
        pytest.fail(f"subscribe.mjs ended ({script.returncode}) early:\n{errors}")
    return json.loads(line)


async def test_the_npm_graphql_ws_client_receives_exactly_the_events_written_in_order(
    node, server, http
):
    async def register(name: str) -> int:
        answer = await run(http, ORG, name=name, kind="COMMUNITY_GROUP")
        return answer["registerOrganization"]["position"]

    so_far = await read_log(http)
    after = so_far[-1]["cursor"] if so_far else None
    before = [await register(f"Node before {i}") for i in range(3)]
    script = await asyncio.create_subprocess_exec(
        node,
        "subscribe.mjs",
        server.ws_url,
        "6",
        *([after] if after else []),
        cwd=NODE_DIR,
        env=os.environ | {"BRIDGEWORK_AUTHORIZATION": server.authorization},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        printed = [await printed_line(script)]  # caught up: it is subscribed
        live = [await register(f"Node live {i}") for i in range(3)]
        printed += [await printed_line(script) for _ in range(5)]
        assert await asyncio.wait_for(script.wait(), CLIENT_SECONDS) == 0
    finally:
        if script.returncode is None:
            script.kill()
            await script.wait()

    assert [e["position"] for e in printed] == before + live
    names = [e["payload"]["name"] for e in printed]
    assert names == [f"Node before {i}" for i in range(3)] + [f"Node live {i}" for i in range(3)]
    log = await read_log(http, after=after)
    assert printed == [{field: e[field] for field in SCRIPT_FIELDS} for e in log]
