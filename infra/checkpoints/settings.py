"""The checkpoint signer's settings: its key file, its name, how often it publishes."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bridgework.infra.checkpoints.note import NoteError, check_name
from bridgework.infra.env import SettingsError, positive, read

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True, kw_only=True)
class CheckpointSettings:
    key_file: Path | None = None
    """A PEM (PKCS#8) Ed25519 private key; None: one made on first use in the data folder."""
    name: str | None = None
    """The log's origin line and the key's name; None: derived from the event source."""
    interval_seconds: float = 10.0
    """How often the publisher looks whether the sealed tree grew and signs it."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CheckpointSettings:
        d = cls()
        key_file = read(env, "BRIDGEWORK_CHECKPOINT_KEY", d.key_file, Path, "a file")
        if key_file is not None and not key_file.is_file():
            raise SettingsError(f"BRIDGEWORK_CHECKPOINT_KEY={str(key_file)!r} is not a file")
        return cls(
            key_file=key_file,
            name=read(
                env, "BRIDGEWORK_CHECKPOINT_NAME", d.name, _name, "a name without spaces or '+'"
            ),
            interval_seconds=read(
                env,
                "BRIDGEWORK_CHECKPOINT_INTERVAL",
                d.interval_seconds,
                positive(float),
                "seconds > 0",
            ),
        )

    def name_for(self, event_source: str) -> str:
        """The configured name, or the event source's host and path (`bridgework.example.org`,
        `<this host>/bridgework` for a relative source)."""
        if self.name is not None:
            return self.name
        parts = urlsplit(event_source)
        host = parts.netloc or socket.gethostname()
        return _clean(f"{host}{parts.path}".rstrip("/"))


def _name(raw: str) -> str:
    try:
        return check_name(raw)
    except NoteError:
        raise ValueError(raw) from None


def _clean(name: str) -> str:
    return (
        "".join(c for c in name if c.isprintable() and not c.isspace() and c != "+") or "bridgework"
    )
