"""`bridgework token` and `bridgework apikey`, run as an operator runs them."""

from __future__ import annotations

import re
import time
from uuid import UUID, uuid4

import pytest
from bridgework.infra.auth.apikeys import ApiKeys
from bridgework.infra.auth.tokens import verifier_for
from bridgework.infra.settings import Settings
from bridgework.services.identity import Reason, Role, Unauthenticated
from support.serve import cli, environment

SCHOOL, STUDENT = uuid4(), uuid4()


async def test_the_printed_token_verifies_and_names_who_it_was_asked_for(tmp_path):
    done = cli(
        "token",
        "--data-dir",
        str(tmp_path),
        "--role",
        "coordinator",
        "--role",
        "mentor",
        "--org",
        str(SCHOOL),
        "--expires",
        "15m",
    )
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", token)
    principal = await verifier_for(Settings(data_dir=tmp_path)).verify(token)
    assert principal.roles == {Role.COORDINATOR, Role.MENTOR}
    assert principal.organisations == {SCHOOL}
    assert principal.expires_at is not None
    assert 14 * 60 < principal.expires_at.timestamp() - time.time() <= 15 * 60


async def test_a_students_token_is_that_student(tmp_path):
    done = cli("token", "--data-dir", str(tmp_path), "--role", "student", "--student", str(STUDENT))
    principal = await verifier_for(Settings(data_dir=tmp_path)).verify(done.stdout.strip())
    assert principal.acts_for_student(STUDENT)
    assert principal.subject == str(STUDENT)


async def test_rotating_the_key_keeps_earlier_tokens_valid(tmp_path):
    before = cli("token", "--data-dir", str(tmp_path), "--role", "auditor").stdout.strip()
    rotated = cli("token", "--data-dir", str(tmp_path), "--rotate-key", "--role", "auditor")
    assert rotated.returncode == 0, rotated.stderr
    assert "new signing key" in rotated.stderr
    after = rotated.stdout.strip()
    verifier = verifier_for(Settings(data_dir=tmp_path))
    assert (await verifier.verify(before)).roles == {Role.AUDITOR}
    assert (await verifier.verify(after)).roles == {Role.AUDITOR}
    assert before.split(".")[0] != after.split(".")[0]  # another kid in the header


def test_a_token_needs_a_role_and_one_person_at_most(tmp_path):
    data = ("--data-dir", str(tmp_path))
    assert cli("token", *data).returncode != 0
    both = cli(
        "token", *data, "--role", "student", "--student", str(STUDENT), "--mentor", str(STUDENT)
    )
    assert both.returncode == 2
    assert cli("token", *data, "--role", "integration").returncode == 2  # keys, not tokens
    too_long = cli("token", *data, "--role", "auditor", "--expires", "30d")
    assert too_long.returncode == 1
    assert "seconds" in too_long.stderr
    assert cli("token", *data, "--role", "auditor", "--expires", "soon").returncode == 2


async def test_an_operator_creates_lists_and_revokes_an_api_key(tmp_path, database_url, pool):
    env = environment(DATABASE_URL=database_url)
    data = ("--data-dir", str(tmp_path))
    created = cli(
        "apikey",
        "create",
        *data,
        "--name",
        "district SIS",
        "--org",
        str(SCHOOL),
        "--read-only",
        "--event-type",
        "StudentEnrolled",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    key_id = UUID(re.search(r"API key (\S+)", created.stderr)[1])
    principal = await ApiKeys(pool).verify(key)
    assert principal.subject == f"apikey:{key_id}"
    assert principal.read_only
    assert principal.organisations == {SCHOOL}

    listed = cli("apikey", "list", *data, env=env)
    assert str(key_id) in listed.stdout
    assert "district SIS" in listed.stdout
    assert key not in listed.stdout
    assert key[:7] in listed.stdout

    revoked = cli("apikey", "revoke", str(key_id), *data, env=env)
    assert revoked.returncode == 0, revoked.stderr
    with pytest.raises(Unauthenticated) as refused:
        await ApiKeys(pool).verify(key)
    assert refused.value.reason is Reason.REVOKED
    unknown = cli("apikey", "revoke", str(uuid4()), *data, env=env)
    assert unknown.returncode == 1
    assert "no API key" in unknown.stderr
