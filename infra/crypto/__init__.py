"""Crypto-shredding of personal data: data keys per subject, wrapped by a KEK; the fields
the inventory (`domain/personal.py`) marks, sealed in the log with them."""

from bridgework.infra.crypto.kek import Kek, Keks, KeyUnavailable, process_keks
from bridgework.infra.crypto.keys import MemoryKeys, PostgresKeys, erase, insert_args
from bridgework.infra.crypto.vault import KeyRow, Sealing, Vault

__all__ = [
    "Kek",
    "Keks",
    "KeyRow",
    "KeyUnavailable",
    "MemoryKeys",
    "PostgresKeys",
    "Sealing",
    "Vault",
    "erase",
    "insert_args",
    "process_keks",
]
