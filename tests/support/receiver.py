"""A webhook receiver for tests: `http.server` in a thread, on a local port, that verifies
every delivery with the `standardwebhooks` library's `Webhook.verify` and keeps what it
received. `answers` scripts its status codes (then 204); `stop()` and `start()` take it down
and bring it back on the same port."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from support.postgres import free_port

DEADLINE_SECONDS = 120
"""Generous: a deadline for a slow, shared machine, never a measure of speed."""


@dataclass
class Delivery:
    webhook_id: str
    headers: dict[str, str]
    body: bytes
    event: dict[str, Any] | None
    """The verified CloudEvent; None if no secret verified it."""


@dataclass
class Receiver:
    secrets: list[str] = field(default_factory=list)
    """Any one of these verifying is enough (a receiver mid-rotation holds both)."""
    answers: list[int | tuple[int, dict[str, str]]] = field(default_factory=list)
    """Status codes (with headers) to answer, in turn; 204 once they run out."""
    port: int = field(default_factory=free_port)
    deliveries: list[Delivery] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def verify(self, body: bytes, headers: dict[str, str]) -> dict[str, Any] | None:
        for secret in self.secrets:
            try:
                return Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
        return None

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("content-length", 0)))
        headers = dict(request.headers.items())
        with self._lock:
            answer = self.answers.pop(0) if self.answers else 204
            code, extra = answer if isinstance(answer, tuple) else (answer, {})
            event = self.verify(body, headers)
            if 200 <= code < 300:
                self.deliveries.append(Delivery(headers["webhook-id"], headers, body, event))
        request.send_response(code)
        for name, value in extra.items():
            request.send_header(name, value)
        request.send_header("content-length", "0")
        request.end_headers()

    def start(self) -> Self:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver._handle(self)

            def log_message(self, *_: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [d.event for d in self.deliveries if d.event is not None]

    def unverified(self) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if d.event is None]

    def wait_for(self, count: int, seconds: float = DEADLINE_SECONDS) -> list[dict[str, Any]]:
        """The verified events once there are at least `count` distinct webhook-ids."""
        deadline = time.monotonic() + seconds
        while len({e["id"] for e in self.events()}) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"{len(self.events())} of {count} webhooks after {seconds} s")
            time.sleep(0.05)
        return self.events()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
