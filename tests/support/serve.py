"""The real `bridgework serve` process, as a user starts it, for tests over real sockets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Self

import httpx
import pytest
from support.postgres import free_port

BRIDGEWORK = Path(sys.executable).with_name("bridgework")
STARTUP_SECONDS = 120


def environment(**extra: str) -> dict[str, str]:
    """This process's environment without a `DATABASE_URL` (embedded PostgreSQL), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | extra


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a `bridgework` command to its end."""
    return subprocess.run(  # noqa: S603 - our own console script
        [str(BRIDGEWORK), *args],
        env=env or environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


class Serve:
    """`bridgework serve --port … --data-dir …` in a subprocess; its output is kept (read it
    with `output()`), and `stop()` ends it with SIGTERM as a process manager would."""

    def __init__(
        self, data_dir: Path, *, port: int | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        self._lines: list[str] = []
        self.process = subprocess.Popen(  # noqa: S603
            [str(BRIDGEWORK), "serve", "--port", str(self.port), "--data-dir", str(data_dir)],
            env=env or environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._wait_until_healthy()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.append(line)

    def output(self) -> str:
        return "".join(self._lines)

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._reader.join(5)
                pytest.fail(f"serve exited early:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop(check=False)
        pytest.fail(f"serve did not answer /health within {STARTUP_SECONDS} s:\n{self.output()}")

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        """POST one operation; fail on any GraphQL error; return `data`."""
        response = httpx.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, timeout=60
        )
        response.raise_for_status()
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def stop(self, *, check: bool = True) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        output = self.output()
        if check:
            assert self.process.returncode == 0, output
        return output

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop(check=False)
