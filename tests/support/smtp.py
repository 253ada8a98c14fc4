"""A real SMTP server for tests: aiosmtpd on a free local port, keeping what it receives."""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from typing import TYPE_CHECKING, Any

from aiosmtpd.controller import Controller

if TYPE_CHECKING:
    from collections.abc import Iterator
    from email.message import EmailMessage


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        """The text as written (the wire's CRLF line ends back to newlines)."""
        return str(self.message.get_content()).replace("\r\n", "\n")


@dataclass
class Inbox:
    """What the server accepted, in order (appended from the server's own thread)."""

    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(r.message["Message-ID"]) for r in self.received]


def free_port() -> int:
    """A port nothing listens on now (so a client meets a refused connection there)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def smtp_server(port: int, inbox: Inbox) -> Iterator[Controller]:
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()
