"""Checkpoints as C2SP signed notes: the signed-note reference vector (golang.org/x/mod/sumdb/
note's Peter Neumann example) signs and verifies byte for byte; a checkpoint reads back; any
change to a note, a wrong key and a malformed vkey are named."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from bridgework.infra.checkpoints.note import (
    NoteError,
    TreeHead,
    Verifier,
    open_note,
    parse_vkey,
    sign,
    verified_body,
)
from bridgework.infra.checkpoints.settings import CheckpointSettings
from bridgework.infra.checkpoints.signer import Signer, load_key
from bridgework.infra.env import SettingsError
from bridgework.infra.settings import Settings
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

if TYPE_CHECKING:
    from pathlib import Path

# The reference key and note of the signed-note format (c2sp.org/signed-note, x/mod/sumdb/note).
VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
SKEY = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"  # 0x01 || the Ed25519 seed
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
SIGNATURE = (
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
)
NOTE = f"{TEXT}\n\u2014 PeterNeumann {SIGNATURE}\n"
HEAD = TreeHead("example.org/log", 42, bytes(range(32)), datetime(2026, 12, 2, 9, 30, tzinfo=UTC))


def reference_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(SKEY)[1:])


def test_the_reference_key_gives_the_reference_vkey_and_key_id():
    verifier = Verifier("PeterNeumann", reference_key().public_key())
    assert verifier.vkey() == VKEY
    assert verifier.key_id.hex() == "c74f20a3"
    assert parse_vkey(VKEY).vkey() == VKEY


def test_the_reference_note_verifies_and_our_signature_of_it_is_the_reference_one():
    assert verified_body(NOTE, parse_vkey(VKEY)) == TEXT
    key_id_and_signature = bytes.fromhex("c74f20a3") + reference_key().sign(TEXT.encode())
    assert base64.b64encode(key_id_and_signature).decode() == SIGNATURE


def test_a_checkpoint_is_origin_size_root_and_time_lines_then_one_signature():
    key = Ed25519PrivateKey.generate()
    note = sign(HEAD, "example.org/log", key)
    lines = note.split("\n")
    assert lines[:4] == [
        "example.org/log",
        "42",
        base64.b64encode(bytes(range(32))).decode(),
        "time 2026-12-02T09:30:00.000000Z",
    ]
    assert lines[4] == ""
    assert lines[5].startswith("\u2014 example.org/log ")
    assert open_note(note, Verifier("example.org/log", key.public_key())) == HEAD


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda n: n.replace("\n42\n", "\n43\n"), "bad signature"),
        (lambda n: n.replace("time 2026", "time 2025"), "bad signature"),
        (lambda n: n.replace("\n\n", "\n"), "not a signed note"),
        (lambda n: n.replace("\u2014", "-"), "is not a signature line"),
        (lambda n: n[:-3] + "!=\n", "not base64"),
    ],
)
def test_a_changed_note_is_refused_naming_what_is_wrong(change, named):
    key = Ed25519PrivateKey.generate()
    verifier = Verifier("example.org/log", key.public_key())
    with pytest.raises(NoteError, match=named):
        open_note(change(sign(HEAD, "example.org/log", key)), verifier)


def test_a_note_signed_by_another_key_has_no_signature_by_ours():
    note = sign(HEAD, "example.org/log", Ed25519PrivateKey.generate())
    ours = Verifier("example.org/log", Ed25519PrivateKey.generate().public_key())
    with pytest.raises(NoteError, match=r"no signature by example\.org/log"):
        open_note(note, ours)


@pytest.mark.parametrize(
    ("vkey", "named"),
    [
        ("PeterNeumann+c74f20a3", "not a vkey line"),
        ("PeterNeumann+00000000+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key id"),
        (f"PeterNeumann+c74f20a3+{base64.b64encode(bytes(33)).decode()}", "Ed25519"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "without spaces"),
        ("PeterNeumann+c74f20a3+%%%", "not base64"),
    ],
)
def test_a_malformed_public_key_is_refused_naming_what_is_wrong(vkey, named):
    with pytest.raises(NoteError, match=named):
        parse_vkey(vkey)


def test_the_key_is_made_once_in_the_data_folder_and_named_after_the_event_source(tmp_path):
    settings = Settings(data_dir=tmp_path, event_source="https://bridgework.example.org/lincoln")
    first, again = Signer.from_settings(settings), Signer.from_settings(settings)
    assert first.name == "bridgework.example.org/lincoln"
    assert first.verifier.vkey() == again.verifier.vkey()
    assert (tmp_path / "checkpoint_key.pem").stat().st_mode & 0o777 == 0o600


def test_a_configured_key_file_and_name_are_used(tmp_path):
    made = Signer.from_settings(Settings(data_dir=tmp_path / "a"))
    path = tmp_path / "a" / "checkpoint_key.pem"
    env = {"BRIDGEWORK_CHECKPOINT_KEY": str(path), "BRIDGEWORK_CHECKPOINT_NAME": "audit.example"}
    settings = Settings(data_dir=tmp_path / "b", checkpoints=CheckpointSettings.from_env(env))
    used = Signer.from_settings(settings)
    assert used.name == "audit.example"
    assert used.key.public_key() == made.key.public_key()
    assert not (tmp_path / "b" / "checkpoint_key.pem").exists()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BRIDGEWORK_CHECKPOINT_KEY": "/nowhere/key.pem"}, "BRIDGEWORK_CHECKPOINT_KEY"),
        ({"BRIDGEWORK_CHECKPOINT_NAME": "two words"}, "BRIDGEWORK_CHECKPOINT_NAME"),
        ({"BRIDGEWORK_CHECKPOINT_NAME": "a+b"}, "BRIDGEWORK_CHECKPOINT_NAME"),
        ({"BRIDGEWORK_CHECKPOINT_INTERVAL": "0"}, "BRIDGEWORK_CHECKPOINT_INTERVAL"),
        ({"BRIDGEWORK_CHECKPOINT_INTERVAL": "soon"}, "BRIDGEWORK_CHECKPOINT_INTERVAL"),
    ],
)
def test_bad_checkpoint_settings_are_refused_naming_the_variable(env, named):
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_a_key_file_that_is_not_an_ed25519_pem_key_is_named(tmp_path: Path):
    path = tmp_path / "key.pem"
    path.write_text("not a key")
    with pytest.raises(SettingsError, match="BRIDGEWORK_CHECKPOINT_KEY"):
        load_key(path)
