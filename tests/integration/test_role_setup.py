"""How a deployment gets its roles (infra/roles.py): migrations as the owner when
`BRIDGEWORK_MIGRATION_DATABASE_URL` is given, a warning when the app alone is powerful enough
to rewrite the log, and an older single-role database handed over to the roles."""

from __future__ import annotations

import asyncio
import logging
import uuid

import asyncpg
import pytest
from bridgework.infra.env import SettingsError
from bridgework.infra.mail.settings import MailSettings
from bridgework.infra.roles import APP, AUDITOR, OWNER, as_role, bootstrap
from bridgework.infra.runtime import open_runtime
from bridgework.infra.settings import Settings
from bridgework.projections.seal import Sealer
from support.auth import TEST_KEYS
from support.context import SECRET_KEY
from support.postgres import with_database
from support.scenario import a_program, runner_for
from support.serve import cli, environment

NOT_LEAST = "not least privilege"
OWNERS = """SELECT relname, pg_get_userbyid(relowner) FROM pg_class
WHERE relname IN ('events', 'seal_leaves', 'commands', 'enrolment_programs')"""


def settings(url: str, migration_url: str | None = None) -> Settings:
    return Settings(
        database_url=url,
        migration_database_url=migration_url,
        secret_key=SECRET_KEY,
        mail=MailSettings(run_mailer=False),
        data_dir=TEST_KEYS,
    )


@pytest.fixture
async def empty_database(server_url: str):
    """A database with nothing in it, as the superuser."""
    name = f"bw_roles_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield with_database(server_url, name), name
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def test_with_an_owners_url_migrations_run_as_the_owner_and_the_app_stays_unprivileged(
    empty_database, caplog
):
    url, name = empty_database
    await bootstrap(url, name)
    caplog.set_level(logging.WARNING, "bridgework")
    app_settings = settings(as_role(url, APP), as_role(url, OWNER))
    async with open_runtime(app_settings) as runtime:
        assert await runtime.pool.fetchval("SELECT current_user") == APP
        await a_program(runtime.deps, capacity=2)
        await runtime.runner.catch_up()
        owners = dict(await runtime.pool.fetch(OWNERS))
        await runtime.runner.rebuild("enrolment")
    assert owners == {
        "events": OWNER,
        "seal_leaves": OWNER,
        "commands": OWNER,
        "enrolment_programs": APP,
    }
    assert NOT_LEAST not in caplog.text
    # A second start (nothing to migrate) grants again, idempotently.
    async with open_runtime(app_settings) as runtime:
        assert await runtime.pool.fetchval("SELECT count(*) FROM enrolment_programs") == 1


async def test_a_superuser_app_without_an_owners_url_is_warned_it_is_not_least_privilege(
    empty_database, caplog
):
    url, _ = empty_database
    caplog.set_level(logging.WARNING, "bridgework")
    async with open_runtime(settings(url)) as runtime:
        assert await runtime.pool.fetchval("SELECT count(*) FROM events") == 0
    assert NOT_LEAST in caplog.text


async def test_a_single_role_database_is_handed_over_to_the_roles_and_keeps_working(
    empty_database,
):
    url, name = empty_database
    async with open_runtime(settings(url)) as runtime:  # everything the superuser's
        await a_program(runtime.deps, capacity=2)
        await runtime.runner.catch_up()
        head = await runtime.pool.fetchval("SELECT max(position) FROM events")
    await bootstrap(url, name)
    await bootstrap(url, name)  # idempotent
    async with open_runtime(settings(as_role(url, APP), as_role(url, OWNER))) as runtime:
        owners = dict(await runtime.pool.fetch(OWNERS))
        await runtime.runner.rebuild("enrolment")
        assert await runtime.pool.fetchval("SELECT count(*) FROM enrolment_programs") == 1
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await runtime.pool.execute("DELETE FROM events")
        assert await runtime.pool.fetchval("SELECT max(position) FROM events") == head
    assert owners["events"] == OWNER
    assert owners["seal_leaves"] == OWNER
    assert owners["enrolment_programs"] == APP


@pytest.mark.parametrize("value", ["Auditor", "x; DROP TABLE events", "a-b", "1abc"])
def test_an_auditor_role_name_that_is_not_a_plain_identifier_is_refused_naming_the_variable(
    value,
):
    with pytest.raises(SettingsError, match="BRIDGEWORK_AUDITOR_ROLE"):
        Settings.from_env({"BRIDGEWORK_AUDITOR_ROLE": value})


def test_the_migration_url_is_read_from_the_environment():
    read = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://app@db/bw",
            "BRIDGEWORK_MIGRATION_DATABASE_URL": "postgresql://owner@db/bw",
        }
    )
    assert (read.database_url, read.migration_database_url) == (
        "postgresql://app@db/bw",
        "postgresql://owner@db/bw",
    )


async def test_an_auditor_verifies_the_log_with_its_read_only_role(pool, deps, admin_database_url):
    runner = runner_for(pool, deps, [Sealer()])
    await runner.setup()
    await a_program(deps, capacity=2)
    await runner.catch_up()
    env = environment(
        DATABASE_URL=as_role(admin_database_url, AUDITOR), BRIDGEWORK_DATA_DIR=str(TEST_KEYS)
    )
    verified = await asyncio.to_thread(cli, "verify", env=env)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("ok: ")
    assert NOT_LEAST not in verified.stderr


async def test_verify_on_a_database_not_migrated_yet_says_so_and_creates_nothing(empty_database):
    url, _ = empty_database
    env = environment(DATABASE_URL=url, BRIDGEWORK_DATA_DIR=str(TEST_KEYS))
    refused = await asyncio.to_thread(cli, "verify", env=env)
    assert refused.returncode == 1
    assert "the database has no event log yet: run `bridgework migrate` first" in refused.stderr
    conn = await asyncpg.connect(url)
    try:
        assert await conn.fetchval("SELECT to_regclass('schema_migrations')") is None
    finally:
        await conn.close()
