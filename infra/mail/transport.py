"""How a mail leaves: by SMTP (aiosmtplib), or, with no SMTP server configured (development),
written to the log. A failed send becomes a `SendFailed` in our own words; the server's and
the driver's text go to the log only, never to the outbox row."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING, Protocol

import aiosmtplib

if TYPE_CHECKING:
    from bridgework.infra.mail.outbox import Claimed
    from bridgework.infra.mail.settings import MailSettings

log = logging.getLogger("bridgework.mail")


class SendFailed(Exception):
    """The mail was not accepted; the message is ours, fit for `outbox.last_error`."""


class Transport(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand the message on, or raise `SendFailed`."""


def message_id(mail: Claimed, sender: str) -> str:
    """Stable per outbox row: a mail sent twice (a crash between the server's acceptance and
    our marking it sent) carries the same Message-ID both times, so receivers can dedupe."""
    return f"<{mail.id}@{sender.rpartition('@')[2]}>"


def build_message(mail: Claimed, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = message_id(mail, sender)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to us
    message.set_content(mail.body)
    return message


class LogTransport:
    """Development: the mail is written to the log at INFO and counts as sent, so
    `bridgework serve` on a fresh machine shows a supervisor's link in its output."""

    async def send(self, message: EmailMessage) -> None:
        log.info(
            "mail (no SMTP server configured, so written here) to %s, subject %r:\n%s",
            message["To"],
            message["Subject"],
            message.get_content().rstrip("\n"),
        )


class SmtpTransport:
    """One connection per mail: mail is rare, and a fresh connection survives any drop."""

    def __init__(self, settings: MailSettings) -> None:
        self._settings = settings

    async def send(self, message: EmailMessage) -> None:
        s = self._settings
        try:
            await aiosmtplib.send(
                message,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password,
                use_tls=s.smtp_security == "tls",
                start_tls=s.smtp_security == "starttls",
                timeout=s.smtp_timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
            log.warning("SMTP: %s (%s: %s)", _our_words(e), type(e).__name__, e)
            raise SendFailed(_our_words(e)) from e


# In order, subclasses before their bases: aiosmtplib's timeouts and connect errors are both.
_OUR_WORDS: tuple[tuple[type[Exception] | tuple[type[Exception], ...], str], ...] = (
    ((aiosmtplib.SMTPTimeoutError, TimeoutError), "the SMTP server did not answer in time"),
    (
        (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected, OSError),
        "could not reach the SMTP server",
    ),
    (aiosmtplib.SMTPAuthenticationError, "the SMTP server refused our credentials"),
    (aiosmtplib.SMTPRecipientsRefused, "the SMTP server refused the recipient"),
    (aiosmtplib.SMTPSenderRefused, "the SMTP server refused the sender address"),
)


def _our_words(e: Exception) -> str:
    for kinds, words in _OUR_WORDS:
        if isinstance(e, kinds):
            return words
    if isinstance(e, aiosmtplib.SMTPResponseException):
        return f"the SMTP server answered {e.code}"
    return "sending by SMTP failed"
