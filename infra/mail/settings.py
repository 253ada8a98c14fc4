"""How the outbox's mail leaves: the SMTP server, the sender, retries (`BRIDGEWORK_SMTP_*`,
`BRIDGEWORK_MAIL_*`)."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from typing import TYPE_CHECKING

from bridgework.infra.env import (
    SettingsError,
    flag,
    one_of,
    positive,
    positive_int,
    read,
)
from bridgework.infra.mail.outbox import check_address

if TYPE_CHECKING:
    from collections.abc import Mapping

SMTP_SECURITY = ("starttls", "tls", "none")


@dataclass(frozen=True, kw_only=True)
class MailSettings:
    smtp_host: str | None = None
    """None: no SMTP server; mail is written to the log (development)."""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    """`starttls` (upgrade on the submission port), `tls` (implicit, port 465) or `none`."""
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = 30.0
    sender: str = "Bridgework <no-reply@bridgework.invalid>"
    """The From header; its address's domain also names every Message-ID."""
    max_attempts: int = 10
    """Tries per mail before it is given up (a log line, `bridgework status`, `/metrics`)."""
    retry_first_seconds: float = 30.0
    """The first retry's delay; each next one doubles (with jitter) up to `retry_max_seconds`."""
    retry_max_seconds: float = 3600.0
    poll_seconds: float = 30.0
    """The mailer looks for due mail this often even if no NOTIFY came."""
    run_mailer: bool = True
    """`serve` drains the outbox in-process; any number of processes may (each mail once)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MailSettings:
        return _from_env(env)


def _from_env(env: Mapping[str, str]) -> MailSettings:
    d = MailSettings()
    port = read(env, "BRIDGEWORK_SMTP_PORT", d.smtp_port, int, "a port number")
    if not 0 < port <= 65535:  # noqa: PLR2004
        raise SettingsError(f"BRIDGEWORK_SMTP_PORT={port} is not a port number")
    seconds = positive(float)
    return MailSettings(
        smtp_host=read(env, "BRIDGEWORK_SMTP_HOST", d.smtp_host, str, "a host"),
        smtp_port=port,
        smtp_security=read(
            env,
            "BRIDGEWORK_SMTP_SECURITY",
            d.smtp_security,
            one_of(SMTP_SECURITY),
            "starttls, tls or none",
        ),
        smtp_username=read(env, "BRIDGEWORK_SMTP_USERNAME", d.smtp_username, str, "a name"),
        smtp_password=read(env, "BRIDGEWORK_SMTP_PASSWORD", d.smtp_password, str, "a password"),
        smtp_timeout_seconds=read(
            env, "BRIDGEWORK_SMTP_TIMEOUT", d.smtp_timeout_seconds, seconds, "seconds > 0"
        ),
        sender=read(env, "BRIDGEWORK_MAIL_FROM", d.sender, _sender, "an e-mail address"),
        max_attempts=read(
            env, "BRIDGEWORK_MAIL_MAX_ATTEMPTS", d.max_attempts, positive_int, "a whole number > 0"
        ),
        retry_first_seconds=read(
            env, "BRIDGEWORK_MAIL_RETRY_FIRST", d.retry_first_seconds, seconds, "seconds > 0"
        ),
        retry_max_seconds=read(
            env, "BRIDGEWORK_MAIL_RETRY_MAX", d.retry_max_seconds, seconds, "seconds > 0"
        ),
        poll_seconds=read(env, "BRIDGEWORK_MAIL_POLL", d.poll_seconds, seconds, "seconds > 0"),
        run_mailer=read(env, "BRIDGEWORK_RUN_MAILER", d.run_mailer, flag, "true or false"),
    )


def _sender(raw: str) -> str:
    """`Name <address>` or a bare address; one address, no line breaks."""
    _, address = parseaddr(raw)
    if "\n" in raw or "\r" in raw or "," in raw:
        raise ValueError(raw)
    check_address(address)  # InvalidMail is a ValueError
    return raw
