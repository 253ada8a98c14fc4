"""The checkpoint signing key: a PEM Ed25519 key, given (`BRIDGEWORK_CHECKPOINT_KEY`) or
made on first use in the data folder (`checkpoint_key.pem`, mode 0600, made once even by
processes starting together, like the token issuer's key)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.infra.checkpoints.note import TreeHead, Verifier, check_name, sign, sign_text
from bridgework.infra.env import SettingsError
from bridgework.infra.keyfiles import link_once, private_copy
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

if TYPE_CHECKING:
    from pathlib import Path

    from bridgework.infra.settings import Settings

KEY_FILE = "checkpoint_key.pem"


def _pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def load_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 key of a PEM file; a `SettingsError` naming the setting otherwise."""
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise SettingsError(
            f"BRIDGEWORK_CHECKPOINT_KEY: {path} is not an unencrypted PEM Ed25519 private key"
        )
    return key


class Signer:
    """Signs tree heads under the deployment's checkpoint key and name."""

    def __init__(self, name: str, key: Ed25519PrivateKey) -> None:
        self.name = check_name(name)
        self.key = key

    @classmethod
    def from_settings(cls, settings: Settings) -> Signer:
        config = settings.checkpoints
        path = config.key_file
        if path is None:
            path = settings.data_dir / KEY_FILE
            if not path.exists():
                link_once(private_copy(path, _pem(Ed25519PrivateKey.generate())), path)
        return cls(config.name_for(settings.event_source), load_key(path))

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.key.public_key())

    def sign(self, head: TreeHead) -> str:
        return sign(head, self.name, self.key)

    def sign_text(self, body: str) -> str:
        return sign_text(body, self.name, self.key)
