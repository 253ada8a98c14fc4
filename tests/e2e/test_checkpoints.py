"""Against the real `serve` over a real socket: the publisher signs the sealed log by
itself; an auditor fetches `GET /checkpoint` and its key with a plain HTTP client, keeps
them, and later `bridgework verify --checkpoint` proves the log still extends them."""

from __future__ import annotations

import time

import httpx
from bridgework.infra.checkpoints.note import open_note, parse_vkey
from support.api import ORG
from support.serve import Serve, cli, environment

DEADLINE = 120
"""Generous: the publisher signs every 0.2 s here; a slow, shared machine may lag."""


def fetched(server: Serve, at_least: int) -> str:
    """The latest checkpoint once it signs at least `at_least` events."""
    end = time.monotonic() + DEADLINE
    while True:
        response = httpx.get(f"{server.url}/checkpoint", timeout=60)
        if response.status_code == 200 and int(response.text.split("\n")[1]) >= at_least:
            return response.text
        assert time.monotonic() < end, f"no checkpoint of {at_least} events: {response.text}"
        time.sleep(0.2)


def test_an_auditor_keeps_a_served_checkpoint_and_verify_proves_the_log_extends_it(
    data_dir, tmp_path
):
    env = environment(BRIDGEWORK_CHECKPOINT_INTERVAL="0.2")
    with Serve(data_dir, env=env) as server:
        server.graphql(ORG, {"name": "Lincoln", "kind": "SCHOOL"})
        note = fetched(server, 1)
        keys = httpx.get(f"{server.url}/checkpoint/keys", timeout=60)
        assert keys.headers["content-type"].startswith("text/plain")
        head = open_note(note, parse_vkey(keys.text))
        server.graphql(ORG, {"name": "Roosevelt", "kind": "SCHOOL"})
        later = open_note(fetched(server, head.size + 1), parse_vkey(keys.text))
        same = httpx.get(f"{server.url}/checkpoint", params={"size": head.size}, timeout=60)
        assert same.text == note
        server.stop()
    saved, key = tmp_path / "checkpoint.txt", tmp_path / "keys.txt"
    saved.write_text(note)
    key.write_text(keys.text)
    args = ("verify", "--checkpoint", str(saved), "--public-key", str(key))
    verified = cli(*args, "--data-dir", str(data_dir), env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"extend the signed checkpoint of {head.size:,}" in verified.stdout
    assert later.size > head.size
