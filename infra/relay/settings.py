"""How the NATS JetStream relay runs: the server, the stream, what it publishes
(`BRIDGEWORK_NATS_*`, `BRIDGEWORK_RELAY_*`, `BRIDGEWORK_RUN_RELAY`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridgework.infra.env import SettingsError, flag, positive, positive_int, read

if TYPE_CHECKING:
    from collections.abc import Mapping

SCHEMES = ("nats://", "tls://", "ws://", "wss://")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_BATCH = 10_000


@dataclass(frozen=True, kw_only=True)
class RelaySettings:
    nats_url: str | None = None
    """The NATS server(s), comma-separated (`nats://host:4222`); None: no relay."""
    stream: str = "BRIDGEWORK"
    """The JetStream stream, made if missing (subjects `bridgework.>`, file storage)."""
    duplicate_window_seconds: float = 300.0
    """The stream's duplicate window when the relay makes it: a relay restarted within it
    republishes its last batch without a consumer seeing any event twice."""
    name: str = "nats"
    """The relay's checkpoint row (`relay_checkpoints`); one running relay per name."""
    personal_data: bool = False
    """Publish personal fields opened; by default they are null, as for an ungranted key."""
    batch_size: int = 1000
    """Events published before waiting for their acks and moving the checkpoint."""
    ack_timeout_seconds: float = 10.0
    """How long a batch may wait for its acks before it is published again."""
    run_relay: bool = False
    """`serve` runs the relay in-process (needs `nats_url`)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RelaySettings:
        d = cls()
        seconds = positive(float)
        found = cls(
            nats_url=read(env, "BRIDGEWORK_NATS_URL", d.nats_url, nats_url, "a nats:// URL"),
            stream=read(env, "BRIDGEWORK_NATS_STREAM", d.stream, name, "a stream name"),
            duplicate_window_seconds=read(
                env,
                "BRIDGEWORK_NATS_DUPLICATE_WINDOW",
                d.duplicate_window_seconds,
                seconds,
                "seconds > 0",
            ),
            name=read(env, "BRIDGEWORK_RELAY_NAME", d.name, name, "a relay name"),
            personal_data=read(
                env, "BRIDGEWORK_RELAY_PERSONAL_DATA", d.personal_data, flag, "true or false"
            ),
            batch_size=read(
                env, "BRIDGEWORK_RELAY_BATCH", d.batch_size, batch_size, f"1 to {MAX_BATCH}"
            ),
            ack_timeout_seconds=read(
                env, "BRIDGEWORK_RELAY_ACK_TIMEOUT", d.ack_timeout_seconds, seconds, "seconds > 0"
            ),
            run_relay=read(env, "BRIDGEWORK_RUN_RELAY", d.run_relay, flag, "true or false"),
        )
        if found.run_relay and found.nats_url is None:
            raise SettingsError("BRIDGEWORK_RUN_RELAY=true needs BRIDGEWORK_NATS_URL")
        return found


def nats_url(raw: str) -> str:
    """One or more NATS server URLs, comma-separated."""
    urls = [u.strip() for u in raw.split(",")]
    for url in urls:
        rest = url.partition("://")[2]
        if not url.startswith(SCHEMES) or not rest or any(c.isspace() for c in url):
            raise ValueError(raw)
    return ",".join(urls)


def name(raw: str) -> str:
    """A stream or relay name: letters, digits, `-` and `_` (NATS refuses `.`, `*`, `>`)."""
    if not _NAME.match(raw):
        raise ValueError(raw)
    return raw


def batch_size(raw: str) -> int:
    size = positive_int(raw)
    if size > MAX_BATCH:
        raise ValueError(raw)
    return size
