"""Configuration from the environment, checked at start-up; errors name the variable."""

from __future__ import annotations

import math
import os
import secrets
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bridgework.infra.mail.outbox import check_address

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

T = TypeVar("T")


class SettingsError(ValueError):
    """An environment variable has a value Bridgework cannot use."""


def _read(env: Mapping[str, str], name: str, default: T, parse: Callable[[str], T], what: str) -> T:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw.strip())
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not {what}") from None


def _flag(raw: str) -> bool:
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ValueError(raw)


def _positive(parse: Callable[[str], float]) -> Callable[[str], float]:
    def checked(raw: str) -> float:
        value = parse(raw)
        if not 0 < value < math.inf:  # also refuses nan
            raise ValueError(raw)
        return value

    return checked


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


@dataclass(frozen=True, kw_only=True)
class Settings:
    database_url: str | None = None
    """A PostgreSQL server; None starts an embedded one in `data_dir`."""
    data_dir: Path = Path(".bridgework")
    host: str = "127.0.0.1"
    port: int = 8000
    pool_min: int = 2
    pool_max: int = 10
    read_wait_seconds: float = 2.0
    poll_interval_seconds: float = 1.0
    run_projections: bool = True
    secret_key: str | None = None
    """Signs supervisors' verification links. None: a key kept in `data_dir/secret_key`, made
    on first start (every instance behind a load balancer needs the same one: set it)."""
    link_days: int = 14
    log_format: str = "text"
    """`text`, or `json` for one JSON object a line (log shippers)."""
    log_level: str = "INFO"
    ready_max_lag_seconds: float = 30.0
    """`/ready` answers 503 while a projection is further behind than this."""
    ready_max_held_back_seconds: float = 30.0
    """`/ready` answers 503 while one open transaction has held readers back this long."""
    max_websockets: int = 1000
    """Open websocket connections per process; more are refused (close code 1013)."""
    mail: MailSettings = field(default_factory=MailSettings)
    """How the outbox's mail leaves (infra/mail/); no SMTP host: written to the log."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        d = cls()
        pool_min = _read(env, "BRIDGEWORK_POOL_MIN", d.pool_min, int, "a whole number")
        pool_max = _read(env, "BRIDGEWORK_POOL_MAX", d.pool_max, int, "a whole number")
        if not 1 <= pool_min <= pool_max:
            raise SettingsError(
                f"BRIDGEWORK_POOL_MIN ({pool_min}) must be at least 1 and at most "
                f"BRIDGEWORK_POOL_MAX ({pool_max})"
            )
        port = _read(env, "BRIDGEWORK_PORT", d.port, int, "a port number")
        if not 0 <= port <= 65535:  # noqa: PLR2004
            raise SettingsError(f"BRIDGEWORK_PORT={port} is not a port number")
        max_lag = _read(
            env,
            "BRIDGEWORK_READY_MAX_LAG",
            d.ready_max_lag_seconds,
            _positive(float),
            "seconds > 0",
        )
        max_held_back = _read(
            env,
            "BRIDGEWORK_READY_MAX_HELD_BACK",
            d.ready_max_held_back_seconds,
            _positive(float),
            "seconds > 0",
        )
        max_websockets = _read(
            env, "BRIDGEWORK_MAX_WEBSOCKETS", d.max_websockets, _positive_int, "a whole number > 0"
        )
        return cls(
            database_url=_read(env, "DATABASE_URL", d.database_url, str, "a URL"),
            data_dir=_read(env, "BRIDGEWORK_DATA_DIR", d.data_dir, Path, "a folder"),
            host=_read(env, "BRIDGEWORK_HOST", d.host, str, "a host"),
            port=port,
            pool_min=pool_min,
            pool_max=pool_max,
            read_wait_seconds=_read(
                env, "BRIDGEWORK_READ_WAIT", d.read_wait_seconds, _positive(float), "seconds > 0"
            ),
            poll_interval_seconds=_read(
                env,
                "BRIDGEWORK_POLL_INTERVAL",
                d.poll_interval_seconds,
                _positive(float),
                "seconds > 0",
            ),
            run_projections=_read(
                env, "BRIDGEWORK_RUN_PROJECTIONS", d.run_projections, _flag, "true or false"
            ),
            secret_key=_read(
                env, "BRIDGEWORK_SECRET_KEY", d.secret_key, _long_secret,
                f"a secret of at least {MIN_SECRET} characters",
            ),
            link_days=_read(env, "BRIDGEWORK_LINK_DAYS", d.link_days, _days, "1 to 365 days"),
            log_format=_read(
                env, "BRIDGEWORK_LOG_FORMAT", d.log_format, _one_of(LOG_FORMATS), "text or json"
            ),
            log_level=_read(
                env, "BRIDGEWORK_LOG_LEVEL", d.log_level, _one_of(LOG_LEVELS),
                "DEBUG, INFO, WARNING or ERROR",
            ),
            ready_max_lag_seconds=max_lag,
            ready_max_held_back_seconds=max_held_back,
            max_websockets=max_websockets,
            mail=mail_from_env(env),
        )  # fmt: skip

    def signing_key(self) -> str:
        """The configured secret, or the one kept in the data folder (made if missing)."""
        if self.secret_key is not None:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
                f.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


MIN_SECRET = 32
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def chosen(raw: str) -> str:
        for choice in choices:
            if raw.lower() == choice.lower():
                return choice
        raise ValueError(raw)

    return chosen


def _long_secret(raw: str) -> str:
    if len(raw) < MIN_SECRET:
        raise ValueError(raw)
    return raw


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError(raw)
    return value


def _days(raw: str) -> int:
    days = int(raw)
    if not 1 <= days <= 365:  # noqa: PLR2004
        raise ValueError(raw)
    return days


def mail_from_env(env: Mapping[str, str]) -> MailSettings:
    d = MailSettings()
    port = _read(env, "BRIDGEWORK_SMTP_PORT", d.smtp_port, int, "a port number")
    if not 0 < port <= 65535:  # noqa: PLR2004
        raise SettingsError(f"BRIDGEWORK_SMTP_PORT={port} is not a port number")
    seconds = _positive(float)
    return MailSettings(
        smtp_host=_read(env, "BRIDGEWORK_SMTP_HOST", d.smtp_host, str, "a host"),
        smtp_port=port,
        smtp_security=_read(
            env,
            "BRIDGEWORK_SMTP_SECURITY",
            d.smtp_security,
            _one_of(SMTP_SECURITY),
            "starttls, tls or none",
        ),
        smtp_username=_read(env, "BRIDGEWORK_SMTP_USERNAME", d.smtp_username, str, "a name"),
        smtp_password=_read(env, "BRIDGEWORK_SMTP_PASSWORD", d.smtp_password, str, "a password"),
        smtp_timeout_seconds=_read(
            env, "BRIDGEWORK_SMTP_TIMEOUT", d.smtp_timeout_seconds, seconds, "seconds > 0"
        ),
        sender=_read(env, "BRIDGEWORK_MAIL_FROM", d.sender, _sender, "an e-mail address"),
        max_attempts=_read(
            env, "BRIDGEWORK_MAIL_MAX_ATTEMPTS", d.max_attempts, _positive_int, "a whole number > 0"
        ),
        retry_first_seconds=_read(
            env, "BRIDGEWORK_MAIL_RETRY_FIRST", d.retry_first_seconds, seconds, "seconds > 0"
        ),
        retry_max_seconds=_read(
            env, "BRIDGEWORK_MAIL_RETRY_MAX", d.retry_max_seconds, seconds, "seconds > 0"
        ),
        poll_seconds=_read(env, "BRIDGEWORK_MAIL_POLL", d.poll_seconds, seconds, "seconds > 0"),
        run_mailer=_read(env, "BRIDGEWORK_RUN_MAILER", d.run_mailer, _flag, "true or false"),
    )


def _sender(raw: str) -> str:
    """`Name <address>` or a bare address; one address, no line breaks."""
    _, address = parseaddr(raw)
    if "\n" in raw or "\r" in raw or "," in raw:
        raise ValueError(raw)
    check_address(address)  # InvalidMail is a ValueError
    return raw
