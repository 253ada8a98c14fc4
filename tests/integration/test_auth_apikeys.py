"""Integrations' API keys on PostgreSQL: made once, stored hashed, scoped, revocable."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from bridgework.infra.auth.apikeys import ApiKeyNotFound, ApiKeys, new_key, well_formed
from bridgework.services.identity import Reason, Role, Unauthenticated

SCHOOL, DISTRICT = uuid4(), uuid4()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keys(pool, clock) -> ApiKeys:
    return ApiKeys(pool, clock=clock)


async def refused(keys: ApiKeys, key: str) -> Reason:
    with pytest.raises(Unauthenticated) as caught:
        await keys.verify(key)
    return caught.value.reason


def test_a_key_has_the_prefix_and_checksum_leak_scanners_look_for():
    key = new_key()
    assert re.fullmatch(r"bw_[0-9A-Za-z]{36}", key)
    assert well_formed(key)
    assert new_key() != key


async def test_a_new_key_verifies_as_an_integration_with_its_scopes(keys, pool):
    record, key = await keys.create(
        name="district SIS",
        organisations=[SCHOOL, DISTRICT],
        created_by="coordinator-ada",
        read_only=True,
        event_types=["StudentEnrolled"],
    )
    principal = await keys.verify(key)
    assert principal.subject == f"apikey:{record.id}"
    assert principal.roles == {Role.INTEGRATION}
    assert principal.organisations == {SCHOOL, DISTRICT}
    assert principal.read_only
    assert principal.event_types == {"StudentEnrolled"}
    assert not principal.may_write
    # Only the hash is kept: the key itself is nowhere in the table.
    stored = await pool.fetchrow("SELECT * FROM api_keys")
    assert stored["key_hash"] == hashlib.sha256(key.encode()).digest()
    assert key not in repr(dict(stored))
    assert stored["hint"] == key[:7]
    assert stored["created_by"] == "coordinator-ada"


async def test_a_key_without_event_types_sees_every_type(keys):
    _, key = await keys.create(name="warehouse", organisations=[SCHOOL], created_by="ada")
    principal = await keys.verify(key)
    assert principal.event_types is None
    assert principal.may_write


async def test_a_typo_is_refused_by_its_checksum_without_a_database_lookup(keys, pool):
    _, key = await keys.create(name="HR", organisations=[SCHOOL], created_by="ada")
    typo = key[:10] + ("A" if key[10] != "A" else "B") + key[11:]
    await pool.close()  # a lookup now would fail loudly, not refuse
    assert await refused(keys, typo) is Reason.CHECKSUM
    assert await refused(keys, "ghp_" + key[3:]) is Reason.MALFORMED
    assert await refused(keys, key[:-1]) is Reason.MALFORMED


async def test_a_well_formed_key_that_was_never_made_is_unknown(keys):
    assert await refused(keys, new_key()) is Reason.UNKNOWN_API_KEY


async def test_a_revoked_key_is_refused_and_stays_listed(keys, clock):
    record, key = await keys.create(name="HR", organisations=[SCHOOL], created_by="ada")
    revoked = await keys.revoke(record.id)
    assert revoked.revoked_at == clock.now
    assert await refused(keys, key) is Reason.REVOKED
    clock.now += timedelta(hours=1)
    assert (await keys.revoke(record.id)).revoked_at == revoked.revoked_at  # the first time stays
    assert [k.revoked_at for k in await keys.list()] == [revoked.revoked_at]
    with pytest.raises(ApiKeyNotFound):
        await keys.revoke(uuid4())


async def test_last_used_is_written_at_most_once_a_minute(keys, clock):
    record, key = await keys.create(name="HR", organisations=[SCHOOL], created_by="ada")
    assert (await keys.list())[0].last_used_at is None
    first_use = clock.now
    await keys.verify(key)
    clock.now += timedelta(seconds=59)
    await keys.verify(key)
    assert (await keys.list())[0].last_used_at == first_use
    clock.now += timedelta(seconds=1)
    await keys.verify(key)
    assert (await keys.list())[0].last_used_at == clock.now
    assert record.id == (await keys.list())[0].id


async def test_keys_are_listed_in_the_order_they_were_made_without_their_secret(keys, clock):
    a, key_a = await keys.create(name="first", organisations=[SCHOOL], created_by="ada")
    clock.now += timedelta(seconds=1)
    b, _ = await keys.create(name="second", organisations=[], created_by="ada")
    listed = await keys.list()
    assert [k.name for k in listed] == ["first", "second"]
    assert listed[0] == a
    assert b.organisations == ()
    assert all(key_a not in repr(k) for k in listed)


async def test_a_key_needs_a_name(keys):
    with pytest.raises(ValueError, match="name"):
        await keys.create(name=" ", organisations=[SCHOOL], created_by="ada")
