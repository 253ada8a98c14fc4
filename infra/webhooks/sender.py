"""One delivery: a claimed message rendered as its event's CloudEvent, signed per Standard
Webhooks with every active secret of its endpoint, sent with httpx, and its outcome.

The request goes to the address the guard resolved and checked (`guard.resolve`), with the
URL's host in `Host` and, for https, in TLS's server name, so a DNS answer that changes
between the check and the connection cannot redirect it. Redirects are never followed."""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import httpx
import msgspec
from bridgework.infra.webhooks.guard import Refused, resolve
from standardwebhooks import Webhook

if TYPE_CHECKING:
    from uuid import UUID

    from bridgework.infra.webhooks.settings import WebhookSettings

USER_AGENT = "Bridgework-Webhooks/1"
MAX_ERROR = 500
GONE = 410
MAX_RETRY_AFTER = 86_400.0
MAX_ANSWER_READ = 65_536


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to."""

    status_code: int | None
    error: str | None
    duration_ms: float
    retry_after: float | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300  # noqa: PLR2004

    @property
    def gone(self) -> bool:
        return self.status_code == GONE


def signature(secrets: list[bytes], msg_id: str, at: datetime, body: str) -> str:
    """`v1,<base64>` for each secret, space-separated (the receiver accepts any one)."""
    return " ".join(Webhook(s).sign(msg_id, at, body) for s in secrets)


def retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header (seconds, or an HTTP date), capped at a day."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), MAX_RETRY_AFTER)


def _pinned(url: str, address: str) -> tuple[str, str, str]:
    """The URL with the resolved address as its host, the `Host` header, the TLS name."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if ":" in address else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    host_header = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=netloc)), host_header, host


CLIENT_CONNECTIONS = 4
"""Keep-alive connections (to as many receivers) one client of the sender's holds."""


class Sender:
    """Each attempt borrows a client of its own (made when none is free, one per attempt in
    flight at most, all sharing one TLS context) and gives it back, warm, when it is done:
    httpcore's pool scans all its connections for every request it places, so one client
    with a connection per attempt in flight spends more time on that than on the POST."""

    def __init__(self, settings: WebhookSettings) -> None:
        self.settings = settings
        self._tls = httpx.create_ssl_context(trust_env=False)
        self._free: list[httpx.AsyncClient] = []
        self._all: list[httpx.AsyncClient] = []

    def _client(self) -> httpx.AsyncClient:
        if self._free:
            return self._free.pop()
        client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=self.settings.timeout_seconds,
            trust_env=False,
            verify=self._tls,
            limits=httpx.Limits(
                max_connections=CLIENT_CONNECTIONS, max_keepalive_connections=CLIENT_CONNECTIONS
            ),
        )
        self._all.append(client)
        return client

    async def close(self) -> None:
        await asyncio.gather(*(c.aclose() for c in self._all), return_exceptions=True)
        self._free, self._all = [], []

    async def send(self, url: str, event_id: UUID, body: str, secrets: list[bytes]) -> Outcome:
        """One attempt, bounded as a whole (DNS, connect, request, answer) by the timeout."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                outcome = await self._send(url, event_id, body, secrets)
        except TimeoutError:
            outcome = Outcome(None, f"no answer within {self.settings.timeout_seconds:g} s", 0.0)
        return dataclasses.replace(outcome, duration_ms=(time.perf_counter() - started) * 1000)

    async def _send(self, url: str, event_id: UUID, body: str, secrets: list[bytes]) -> Outcome:
        try:
            address = await resolve(url, self.settings)
        except Refused as e:
            return Outcome(None, str(e)[:MAX_ERROR], 0.0)
        target, host, server_name = _pinned(url, address)
        msg_id = str(event_id)
        now = datetime.now(UTC)
        headers = {
            "Host": host,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature(secrets, msg_id, now, body),
        }
        extensions = {"sni_hostname": server_name} if target.startswith("https:") else {}
        client = self._client()
        try:
            request = client.build_request(
                "POST", target, content=body.encode(), headers=headers, extensions=extensions
            )
            # Only the answer's status and Retry-After count; a short body is read (and
            # dropped) so that the connection can be kept alive, a long one is cut off.
            response = await client.send(request, stream=True)
            try:
                read = 0
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read > MAX_ANSWER_READ:
                        break
            finally:
                await response.aclose()
        except httpx.HTTPError as e:
            return Outcome(None, f"{type(e).__name__}: {e}"[:MAX_ERROR], 0.0)
        finally:
            self._free.append(client)
        code = response.status_code
        error = None
        if not 200 <= code < 300:  # noqa: PLR2004
            redirect = 300 <= code < 400  # noqa: PLR2004
            error = f"HTTP {code}" + (" (redirects are not followed)" if redirect else "")
        return Outcome(code, error, 0.0, retry_after(response.headers.get("retry-after")))


def encode(envelope: dict[str, object]) -> str:
    return msgspec.json.encode(envelope).decode()
