"""Configuration from the environment, checked at start-up; errors name the variable."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bridgework.infra.asof_settings import AsOfSettings
from bridgework.infra.auth.settings import AuthSettings
from bridgework.infra.checkpoints.settings import CheckpointSettings
from bridgework.infra.crypto.kek import KEY_FILE, Keks, keks_from_env, keks_from_file
from bridgework.infra.env import (
    SettingsError,
    days,
    flag,
    one_of,
    positive,
    positive_int,
    read,
)
from bridgework.infra.logs import LOG_FORMATS, LOG_LEVELS
from bridgework.infra.mail.settings import MailSettings
from bridgework.infra.protection_settings import ProtectionSettings
from bridgework.infra.relay.settings import RelaySettings
from bridgework.infra.webhooks.settings import WebhookSettings

if TYPE_CHECKING:
    from collections.abc import Mapping


def _role(raw: str) -> str:
    """A role name spliced into GRANT statements: a plain lower-case identifier only."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", raw):
        raise ValueError(raw)
    return raw


@dataclass(frozen=True, kw_only=True)
class Settings:
    database_url: str | None = None
    """A PostgreSQL server; None starts an embedded one in `data_dir`."""
    migration_database_url: str | None = None
    """The owner role's connection, which runs migrations; None: `database_url` runs them."""
    auditor_role: str = "bridgework_auditor"
    """The read-only role granted SELECT on the log, the seal and the views (if it exists)."""
    data_dir: Path = Path(".bridgework")
    host: str = "127.0.0.1"
    port: int = 8000
    pool_min: int = 2
    pool_max: int = 10
    read_wait_seconds: float = 2.0
    poll_interval_seconds: float = 1.0
    run_projections: bool = True
    secret_key: str | None = None
    """The deployment's secret (the demo derives its links' secrets from it; real links are
    random). None: a key kept in `data_dir/secret_key`, made on first start (every instance
    behind a load balancer needs the same one: set it)."""
    link_days: int = 14
    public_url: str = "http://127.0.0.1:8000"
    """Where people reach this deployment: the base of the links it mails (a supervisor's)."""
    event_source: str = "/bridgework"
    """The CloudEvents `source` of every event `GET /feed` hands out: a URI-reference naming
    this deployment (e.g. `https://bridgework.example.org` or `/bridgework/lincoln`)."""
    log_format: str = "text"
    """`text`, or `json` for one JSON object a line (log shippers)."""
    log_level: str = "INFO"
    ready_max_lag_seconds: float = 30.0
    """`/ready` answers 503 while a projection is further behind than this."""
    ready_max_held_back_seconds: float = 30.0
    """`/ready` answers 503 while one open transaction has held readers back this long."""
    max_websockets: int = 1000
    """Open websocket connections per process; more are refused (close code 1013)."""
    max_websockets_per_identity: int = 20
    """Open websocket connections of one identity; more are rejected (close code 4403)."""
    kek: tuple[str, ...] = ()
    """`BRIDGEWORK_KEK` and then `BRIDGEWORK_KEK_RETIRED` (base64); () for the key file."""
    auth: AuthSettings = field(default_factory=AuthSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    """How the outbox's mail leaves (infra/mail/); no SMTP host: written to the log."""
    protection: ProtectionSettings = field(default_factory=ProtectionSettings)
    """Production mode, the mutation rate limit, security headers (infra/protection.py)."""
    as_of: AsOfSettings = field(default_factory=AsOfSettings)
    """Limits of the past views (infra/asof.py)."""
    checkpoints: CheckpointSettings = field(default_factory=CheckpointSettings)
    """The signed checkpoints' key, name and interval (infra/checkpoints/)."""
    relay: RelaySettings = field(default_factory=RelaySettings)
    """The NATS JetStream relay (infra/relay/): off in `serve` unless `run_relay`."""
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    """Retries, secret rotation, allowed private destinations (infra/webhooks/)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        d = cls()
        pool_min = read(env, "BRIDGEWORK_POOL_MIN", d.pool_min, int, "a whole number")
        pool_max = read(env, "BRIDGEWORK_POOL_MAX", d.pool_max, int, "a whole number")
        if not 1 <= pool_min <= pool_max:
            raise SettingsError(
                f"BRIDGEWORK_POOL_MIN ({pool_min}) must be at least 1 and at most "
                f"BRIDGEWORK_POOL_MAX ({pool_max})"
            )
        port = read(env, "BRIDGEWORK_PORT", d.port, int, "a port number")
        if not 0 <= port <= 65535:  # noqa: PLR2004
            raise SettingsError(f"BRIDGEWORK_PORT={port} is not a port number")
        max_lag = read(
            env,
            "BRIDGEWORK_READY_MAX_LAG",
            d.ready_max_lag_seconds,
            positive(float),
            "seconds > 0",
        )
        max_held_back = read(
            env,
            "BRIDGEWORK_READY_MAX_HELD_BACK",
            d.ready_max_held_back_seconds,
            positive(float),
            "seconds > 0",
        )
        max_websockets = read(
            env, "BRIDGEWORK_MAX_WEBSOCKETS", d.max_websockets, positive_int, "a whole number > 0"
        )
        per_identity = read(
            env,
            "BRIDGEWORK_MAX_WEBSOCKETS_PER_IDENTITY",
            d.max_websockets_per_identity,
            positive_int,
            "a whole number > 0",
        )
        return cls(
            database_url=read(env, "DATABASE_URL", d.database_url, str, "a URL"),
            migration_database_url=read(
                env, "BRIDGEWORK_MIGRATION_DATABASE_URL", d.migration_database_url, str, "a URL"
            ),
            auditor_role=read(
                env, "BRIDGEWORK_AUDITOR_ROLE", d.auditor_role, _role, "a role name (a-z, 0-9, _)"
            ),
            data_dir=read(env, "BRIDGEWORK_DATA_DIR", d.data_dir, Path, "a folder"),
            host=read(env, "BRIDGEWORK_HOST", d.host, str, "a host"),
            port=port,
            pool_min=pool_min,
            pool_max=pool_max,
            read_wait_seconds=read(
                env, "BRIDGEWORK_READ_WAIT", d.read_wait_seconds, positive(float), "seconds > 0"
            ),
            poll_interval_seconds=read(
                env,
                "BRIDGEWORK_POLL_INTERVAL",
                d.poll_interval_seconds,
                positive(float),
                "seconds > 0",
            ),
            run_projections=read(
                env, "BRIDGEWORK_RUN_PROJECTIONS", d.run_projections, flag, "true or false"
            ),
            secret_key=read(
                env,
                "BRIDGEWORK_SECRET_KEY",
                d.secret_key,
                _long_secret,
                f"a secret of at least {MIN_SECRET} characters",
            ),
            link_days=read(env, "BRIDGEWORK_LINK_DAYS", d.link_days, days, "1 to 365 days"),
            public_url=read(env, "BRIDGEWORK_PUBLIC_URL", d.public_url, _web_url, "an http(s) URL"),
            event_source=read(
                env, "BRIDGEWORK_EVENT_SOURCE", d.event_source, _uri_reference, "a URI-reference"
            ),
            log_format=read(
                env, "BRIDGEWORK_LOG_FORMAT", d.log_format, one_of(LOG_FORMATS), "text or json"
            ),
            log_level=read(
                env,
                "BRIDGEWORK_LOG_LEVEL",
                d.log_level,
                one_of(LOG_LEVELS),
                "DEBUG, INFO, WARNING or ERROR",
            ),
            ready_max_lag_seconds=max_lag,
            ready_max_held_back_seconds=max_held_back,
            max_websockets=max_websockets,
            max_websockets_per_identity=per_identity,
            kek=_kek(env),
            auth=AuthSettings.from_env(env),
            mail=_mail(env),
            protection=ProtectionSettings.from_env(env),
            as_of=AsOfSettings.from_env(env),
            checkpoints=CheckpointSettings.from_env(env),
            relay=RelaySettings.from_env(env),
            webhooks=WebhookSettings.from_env(env),
        )

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

    def keks(self) -> Keks:
        """The configured KEKs, or those of the key file in the data folder (made if missing)."""
        if self.kek:
            found = keks_from_env(
                {"BRIDGEWORK_KEK": self.kek[0], "BRIDGEWORK_KEK_RETIRED": ",".join(self.kek[1:])}
            )
            assert found is not None  # noqa: S101 - `_kek` checked it
            return found
        return keks_from_file(self.data_dir / KEY_FILE)


def _kek(env: Mapping[str, str]) -> tuple[str, ...]:
    if keks_from_env(env) is None:  # checks both variables: errors name them
        return ()
    retired = [r.strip() for r in env.get("BRIDGEWORK_KEK_RETIRED", "").split(",") if r.strip()]
    return (env["BRIDGEWORK_KEK"].strip(), *retired)


MIN_SECRET = 32


def _long_secret(raw: str) -> str:
    if len(raw) < MIN_SECRET:
        raise ValueError(raw)
    return raw


def _web_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")) or any(c.isspace() for c in raw):
        raise ValueError(raw)
    return raw.rstrip("/")


def _uri_reference(raw: str) -> str:
    if not raw or any(c.isspace() or not c.isprintable() for c in raw):
        raise ValueError(raw)
    return raw


def _mail(env: Mapping[str, str]) -> MailSettings:
    """Mail settings; production needs an SMTP server, since without one mail (a
    supervisor's link among it) is written to the log, which is for development only."""
    mail = MailSettings.from_env(env)
    if mail.smtp_host is None and env.get("BRIDGEWORK_ENV", "").strip() == "production":
        raise SettingsError(
            "BRIDGEWORK_ENV=production needs BRIDGEWORK_SMTP_HOST: without an SMTP server mail"
            " (with the links it carries) would be written to the log"
        )
    return mail
