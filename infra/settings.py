"""Configuration from the environment, checked at start-up; errors name the variable."""

from __future__ import annotations

import math
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

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


@dataclass(frozen=True, kw_only=True)
class AuthSettings:
    """How bearer tokens are verified (infra/auth). With no `issuer`, Bridgework is its own."""

    issuer: str | None = None
    """An external OIDC issuer (`iss`); None trusts only Bridgework's own signing keys."""
    jwks_url: str | None = None
    """Its JWKS; None: the `jwks_uri` of `{issuer}/.well-known/openid-configuration`."""
    audience: str = "bridgework"
    algorithms: tuple[str, ...] = ("ES256", "RS256", "EdDSA")
    leeway_seconds: int = 30
    roles_claim: str = "roles"
    """Claim names (a dotted path reaches into objects, e.g. `realm_access.roles`)."""
    organisations_claim: str = "organisations"
    student_claim: str = "student_id"
    mentor_claim: str = "mentor_id"
    local_issuer: str = "bridgework"
    """The `iss` of the tokens Bridgework signs itself (set it to the public URL)."""
    max_token_seconds: int = 7 * 24 * 3600
    """The longest token Bridgework issues; a rotated key stays published this long."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AuthSettings:
        d = cls()

        def text(name: str, default: str) -> str:
            return _read(env, f"BRIDGEWORK_AUTH_{name}", default, str, "a string")

        return cls(
            issuer=_read(env, "BRIDGEWORK_AUTH_ISSUER", d.issuer, str, "an issuer URL"),
            jwks_url=_read(env, "BRIDGEWORK_AUTH_JWKS_URL", d.jwks_url, str, "a URL"),
            audience=text("AUDIENCE", d.audience),
            algorithms=_read(
                env, "BRIDGEWORK_AUTH_ALGORITHMS", d.algorithms, _names, "a list like ES256,RS256"
            ),
            leeway_seconds=_read(
                env, "BRIDGEWORK_AUTH_LEEWAY", d.leeway_seconds, _seconds, "0 to 300 seconds"
            ),
            roles_claim=text("ROLES_CLAIM", d.roles_claim),
            organisations_claim=text("ORGANISATIONS_CLAIM", d.organisations_claim),
            student_claim=text("STUDENT_CLAIM", d.student_claim),
            mentor_claim=text("MENTOR_CLAIM", d.mentor_claim),
            local_issuer=text("LOCAL_ISSUER", d.local_issuer),
            max_token_seconds=_read(
                env,
                "BRIDGEWORK_AUTH_MAX_TOKEN_SECONDS",
                d.max_token_seconds,
                _positive_int,
                "a whole number of seconds > 0",
            ),
        )


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
    auth: AuthSettings = field(default_factory=AuthSettings)

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
            auth=AuthSettings.from_env(env),
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


def _names(raw: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in raw.split(",") if n.strip())
    if not names:
        raise ValueError(raw)
    return names


def _seconds(raw: str) -> int:
    seconds = int(raw)
    if not 0 <= seconds <= 300:  # noqa: PLR2004
        raise ValueError(raw)
    return seconds


def _days(raw: str) -> int:
    days = int(raw)
    if not 1 <= days <= 365:  # noqa: PLR2004
        raise ValueError(raw)
    return days
