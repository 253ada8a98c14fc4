"""The real `bridgework serve` process, as a user starts it, for tests over real sockets, and
the real client library (gql) that talks to it over HTTP and graphql-transport-ws."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import httpx
import pytest
from bridgework.infra.database import CLUSTER
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport
from support.api import ORG, PARTNERSHIP, PROGRAM, STUDENT, program_input
from support.auth import Tokens
from support.postgres import free_port, own_folder

if TYPE_CHECKING:
    from collections.abc import Iterator

    from gql.client import AsyncClientSession

BRIDGEWORK = Path(sys.executable).with_name("bridgework")
STARTUP_SECONDS = 120
CLIENT_SECONDS = 120
"""Generous: a deadline for a slow, shared machine, never a measure of speed."""


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


RUN_FILES = (".handle_pids.json", "log", "postmaster.opts")
"""What one run leaves in a stopped cluster: pgserver's list of the processes using it, the
server's log, pg_ctl's record of the options it started with (the template's own path)."""


def migrated_cluster(folder: Path) -> Path:
    """`bridgework migrate` on the fresh data dir `folder`: its embedded cluster (`folder/pg`),
    initialised, the database created, roles set up, migrated, stopped cleanly, without the
    files of that run; for `data_folder` to copy."""
    result = cli("migrate", "--data-dir", str(folder))
    assert result.returncode == 0, result.stderr
    cluster = folder / CLUSTER
    assert not (cluster / "postmaster.pid").exists(), "the cluster was not stopped"
    for name in RUN_FILES:
        (cluster / name).unlink(missing_ok=True)
    return cluster


@contextlib.contextmanager
def data_folder(cluster: Path | None = None) -> Iterator[Path]:
    """A data dir of a test's own (`own_folder`), removed after; with `cluster`
    (`migrated_cluster`), holding a copy of it, so that `serve` finds its database migrated
    rather than spend seconds in initdb. Only the cluster: `serve` makes the data dir's keys
    (secret, KEK, signing keys) of its own, as on a fresh machine."""
    with own_folder() as folder:
        if cluster is not None:
            # `cp -a` keeps the owner: PostgreSQL runs as `pgserver` when we are root.
            subprocess.run(  # noqa: S603 - a fixed command on our own folders
                ["/bin/cp", "-a", str(cluster), str(folder / CLUSTER)], check=True, timeout=60
            )
        yield folder


class Serve:
    """`bridgework serve --port … --data-dir …` in a subprocess; its output is kept (read it
    with `output()`), and `stop()` ends it with SIGTERM as a process manager would."""

    def __init__(
        self, data_dir: Path, *, port: int | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.data_dir = data_dir
        self.tokens = Tokens(data_dir)
        """Tokens this server accepts (its own issuer's key, in its data folder)."""
        self._authorization: str | None = None
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

    def wait_for_output(self, text: str, seconds: float = CLIENT_SECONDS) -> str:
        """The output once it holds `text`: a log line written as (or just after) an answer is
        sent reaches this process's pipe a moment later."""
        deadline = time.monotonic() + seconds
        while text not in (output := self.output()):
            if time.monotonic() > deadline:
                pytest.fail(f"{text!r} not in the output after {seconds} s:\n{output}")
            time.sleep(0.05)
        return output

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
                time.sleep(0.05)
        self.stop(check=False)
        pytest.fail(f"serve did not answer /health within {STARTUP_SECONDS} s:\n{self.output()}")

    @property
    def authorization(self) -> str:
        """The administrator's `Authorization` value (granted personal data), which every
        helper here sends unless given another."""
        if self._authorization is None:
            self._authorization = self.tokens.bearer(personal_data=True)
        return self._authorization

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": self.authorization}

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        """POST one operation; fail on any GraphQL error; return `data`."""
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=self.headers,
            timeout=60,
        )
        response.raise_for_status()
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def http(self, authorization: str | None = None) -> Client:
        """A gql client for queries and mutations over HTTP (`async with … as session`)."""
        headers = {"Authorization": authorization or self.authorization}
        transport = HTTPXAsyncTransport(url=f"{self.url}/graphql", headers=headers, timeout=60)
        return Client(transport=transport, execute_timeout=CLIENT_SECONDS)

    def websocket(self, authorization: str | None = None) -> Client:
        """A gql client for subscriptions over graphql-transport-ws, the one protocol served."""
        transport = WebsocketsTransport(
            url=self.ws_url,
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            init_payload={"authorization": authorization or self.authorization},
        )
        return Client(transport=transport, execute_timeout=CLIENT_SECONDS)

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


EVENT = "position txId cursor eventId streamId streamVersion type payload recordedAt"
"""One selection for the `events` query and subscription, so what each returns compares."""
LOG = f"""query($after: String, $types: [String!], $streamId: String) {{
  events(first: 1000, after: $after, types: $types, streamId: $streamId) {{
    edges {{ node {{ {EVENT} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
FOLLOW = f"""subscription($after: String, $types: [String!]) {{
  events(after: $after, types: $types) {{ {EVENT} }} }}"""


async def run(session: AsyncClientSession, document: str, **variables: Any) -> dict[str, Any]:
    """Execute one operation; gql raises on any GraphQL error."""
    return await session.execute(GraphQLRequest(document, variable_values=variables))


async def read_log(
    session: AsyncClientSession, after: str | None = None, **filters: Any
) -> list[dict[str, Any]]:
    """Every event after `after` (all of them by default), paged over HTTP in the log's order;
    `types` and `streamId` filter as the query does."""
    events: list[dict[str, Any]] = []
    while True:
        page = (await run(session, LOG, after=after, **filters))["events"]
        events += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return events
        after = page["pageInfo"]["endCursor"]


class Follower:
    """An `events` subscription read in the background while its `async with` lasts: `events`
    is everything received so far, in order; `until(n)` waits (with a generous deadline)
    until it holds `n`."""

    def __init__(
        self, session: AsyncClientSession, *, after: str | None, types: list[str] | None = None
    ) -> None:
        self.events: list[dict[str, Any]] = []
        self._session = session
        self._request = GraphQLRequest(FOLLOW, variable_values={"after": after, "types": types})
        self._task: asyncio.Task[None] | None = None

    async def _read(self) -> None:
        async for result in self._session.subscribe(self._request):
            self.events.append(result["events"])

    async def until(self, count: int) -> list[dict[str, Any]]:
        assert self._task is not None, "use `async with Follower(…)`"
        deadline = time.monotonic() + CLIENT_SECONDS
        while len(self.events) < count:
            if self._task.done():
                self._task.result()  # the subscription's error, if it failed
                pytest.fail(f"the subscription ended after {len(self.events)} of {count}")
            if time.monotonic() > deadline:
                pytest.fail(f"{len(self.events)} of {count} events after {CLIENT_SECONDS} s")
            await asyncio.sleep(0.02)
        return list(self.events)

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def payload(session: AsyncClientSession, document: str, **variables: Any) -> dict:
    """A mutation's one payload, which must be its success type (not a typed error)."""
    (result,) = (await run(session, document, **variables)).values()
    assert "position" in result, result
    return result


async def form_partnership(session: AsyncClientSession, label: str) -> str:
    """A school and a business in partnership."""
    school = await payload(session, ORG, name=f"{label} Academy", kind="SCHOOL")
    firm = await payload(session, ORG, name=f"{label} Robotics Ltd", kind="BUSINESS")
    details = {"name": label, "organizationIds": [school["id"], firm["id"]]}
    return (await payload(session, PARTNERSHIP, input=details))["id"]


async def launch_program(session: AsyncClientSession, label: str, capacity: int) -> str:
    """A new partnership's club of `capacity` seats."""
    partnership = await form_partnership(session, label)
    details = program_input(partnership, name=f"{label} Club", capacity=capacity)
    return (await payload(session, PROGRAM, input=details))["id"]


async def register_adults(session: AsyncClientSession, label: str, count: int) -> list[str]:
    """Students old enough to enrol without a guardian's consent."""
    return [(await payload(session, STUDENT, name=f"{label} {i}"))["id"] for i in range(count)]
