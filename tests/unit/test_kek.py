"""Key-encryption keys: from the environment or the key file, wrapping and rotating."""

from __future__ import annotations

import base64
import os
import stat
import uuid

import pytest
from bridgework.infra.crypto.kek import (
    KEY_FILE,
    Kek,
    Keks,
    KeyUnavailable,
    keks_from_env,
    keks_from_file,
    new_kek,
    prune_file,
    rotate_file,
)
from bridgework.infra.env import SettingsError
from bridgework.infra.settings import Settings


def encoded(kek: Kek) -> str:
    return base64.b64encode(kek.key).decode()


def test_a_data_key_unwraps_only_for_its_subject_and_with_a_configured_kek():
    old, new = new_kek(), new_kek()
    subject, data_key = uuid.uuid4(), os.urandom(32)
    kek_id, wrapped = Keks(old).wrap(subject, data_key)
    assert kek_id == old.id != new.id
    assert Keks(new, [old]).unwrap(subject, kek_id, wrapped) == data_key
    with pytest.raises(KeyUnavailable, match="BRIDGEWORK_KEK"):
        Keks(new).unwrap(subject, kek_id, wrapped)
    with pytest.raises(Exception):  # noqa: B017 - bound to its subject: InvalidTag
        Keks(old).unwrap(uuid.uuid4(), kek_id, wrapped)


def test_the_environment_names_the_variable_it_cannot_use():
    current, old = new_kek(), new_kek()
    env = {"BRIDGEWORK_KEK": encoded(current), "BRIDGEWORK_KEK_RETIRED": encoded(old)}
    keks = keks_from_env(env)
    assert keks is not None
    assert (keks.current.id, set(keks.by_id)) == (current.id, {current.id, old.id})
    assert Settings.from_env(env).keks().current.id == current.id
    for bad in ({"BRIDGEWORK_KEK": "c2hvcnQ="}, {"BRIDGEWORK_KEK_RETIRED": encoded(old)}):
        name = next(iter(bad))
        with pytest.raises(SettingsError, match=name):
            Settings.from_env(bad)
    assert keks_from_env({}) is None


def test_the_key_file_is_made_once_private_and_rotated_keeping_the_old_key(tmp_path):
    path = tmp_path / KEY_FILE
    first = keks_from_file(path)
    assert keks_from_file(path).current.id == first.current.id
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rotated = rotate_file(path)
    assert rotated.current.id != first.current.id
    assert set(rotated.by_id) == {first.current.id, rotated.current.id}
    prune_file(path, keep=frozenset({rotated.current.id}))
    assert set(keks_from_file(path).by_id) == {rotated.current.id}
    assert Settings(data_dir=tmp_path).keks().current.id == rotated.current.id


def test_a_cached_key_is_fetched_again_after_a_while_but_a_destroyed_one_never(monkeypatch):
    from bridgework.infra.crypto import cache  # noqa: PLC0415

    keys = cache.KeyCache(size=2)
    live = cache.Entry(object(), None)  # type: ignore[arg-type]
    keys.put("a", live)
    keys.put("b", cache.DESTROYED)
    assert keys.missing(["a", "b", "c"]) == ["c"]
    monkeypatch.setattr(cache, "KEY_SECONDS", -1.0)
    assert keys.missing(["a", "b"]) == ["a"]
    keys.put("c", live)  # the oldest goes
    assert keys.get("a") is None
    keys.forget(["c"])
    assert keys.get("c") == cache.DESTROYED
