"""Least privilege (infra/roles.py): the app may only read the log and append to it, the
owner's triggers still refuse history changes, the auditor only reads."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from bridgework.infra.database import create_pool
from bridgework.infra.migrate import migrate
from bridgework.infra.roles import APP, AUDITOR, OWNER, as_role
from support.scenario import a_program, runner_for

APPEND = (
    "INSERT INTO events (event_id, stream_id, stream_version, event_type, payload, metadata)"
    " VALUES (gen_random_uuid(), 'by-hand', 1, 'StudentRegistered', '{}', '{}')"
)


@pytest.fixture
async def app(database_url: str):
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()


@pytest.fixture
async def owner(admin_database_url: str):
    conn = await asyncpg.connect(as_role(admin_database_url, OWNER))
    yield conn
    await conn.close()


@pytest.fixture
async def auditor(admin_database_url: str):
    conn = await asyncpg.connect(as_role(admin_database_url, AUDITOR))
    yield conn
    await conn.close()


async def test_the_app_is_neither_a_superuser_nor_the_logs_owner(app):
    row = await app.fetchrow(
        "SELECT current_user, rolsuper, pg_get_userbyid(relowner) AS owner"
        " FROM pg_roles, pg_class WHERE rolname = current_user AND relname = 'events'"
    )
    assert tuple(row) == (APP, False, OWNER)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET event_type = 'X'",
        "DELETE FROM events",
        "TRUNCATE events",
        "ALTER TABLE events ADD COLUMN forged text",
        "ALTER TABLE events DISABLE TRIGGER events_no_update_or_delete",
        "ALTER TABLE events DISABLE TRIGGER ALL",
        "DROP TRIGGER events_no_truncate ON events",
        "DROP TABLE events",
        (
            "CREATE OR REPLACE FUNCTION events_are_append_only() RETURNS trigger"
            " LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"
        ),
        "SELECT setval('events_position_seq', 1000000)",
        "UPDATE seal_leaves SET leaf = sha256('forged'::bytea)",
        "DELETE FROM seal_leaves",
        "TRUNCATE seal_leaves, seal_state",
        "UPDATE seal_nodes SET hash = sha256('forged'::bytea)",
        "DELETE FROM seal_nodes",
        "UPDATE seal_checkpoints SET note = 'forged'",
        "DELETE FROM seal_checkpoints",
    ],
)
async def test_the_app_may_not_change_the_log_or_its_seal(app, statement):
    await app.execute(APPEND)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await app.execute(statement)
    assert await app.fetchval("SELECT count(*) FROM events") == 1


async def test_the_app_may_not_turn_the_triggers_off_for_its_session(app):
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="session_replication_role"):
        await app.execute("SET session_replication_role = replica")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("position", "1"),
        ("tx_id", "'1'::xid8"),
        ("recorded_at", "'2020-01-01T00:00:00Z'::timestamptz"),
    ],
)
async def test_the_app_may_not_choose_a_position_a_transaction_or_a_recording_time(
    app, column, value
):
    overriding = " OVERRIDING SYSTEM VALUE" if column == "position" else ""
    forged = (
        "INSERT INTO events (event_id, stream_id, stream_version, event_type, payload,"  # noqa: S608 - the test's own values
        f" metadata, {column}){overriding} VALUES (gen_random_uuid(), 'forged', 1,"
        f" 'StudentRegistered', '{{}}', '{{}}', {value})"
    )
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="events"):
        await app.execute(forged)
    assert await app.fetchval("SELECT count(*) FROM events") == 0


async def test_the_app_appends_with_the_databases_position_and_time(app):
    before = await app.fetchval("SELECT clock_timestamp()")
    await app.execute(APPEND)
    position, recorded_at = await app.fetchrow("SELECT position, recorded_at FROM events")
    assert position >= 1
    assert recorded_at >= before


async def test_the_owner_is_still_refused_history_changes_by_the_triggers(app, owner):
    await app.execute(APPEND)
    history = ("UPDATE events SET event_type = 'X'", "DELETE FROM events", "TRUNCATE events")
    for statement in history:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await owner.execute(statement)
    assert await owner.fetchval("SELECT count(*) FROM events") == 1


async def test_the_auditor_reads_the_log_the_seal_and_the_views_and_writes_nothing(
    pool, deps, auditor
):
    runner = runner_for(pool, deps)
    await runner.setup()
    await a_program(deps, capacity=2)
    await runner.catch_up()
    assert await auditor.fetchval("SELECT count(*) FROM events") > 0
    assert await auditor.fetchval("SELECT size FROM seal_state") > 0
    assert await auditor.fetchval("SELECT count(*) FROM enrolment_programs") == 1
    assert await auditor.fetchval("SELECT count(*) FROM projection_checkpoints") > 0
    assert await auditor.fetchval("SELECT count(*) FROM seal_checkpoints") == 0  # readable
    for statement in (
        APPEND,
        "UPDATE seal_state SET size = 0",
        "INSERT INTO seal_checkpoints VALUES (1, '', now(), 'forged', 'forged')",
        "DELETE FROM enrolment_programs",
        "SELECT * FROM api_keys",
        "SELECT * FROM outbox",
        "SELECT * FROM data_keys",
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await auditor.execute(statement)


async def test_the_app_rebuilds_its_projections_and_recreates_a_changed_ones_tables(pool, deps):
    runner = runner_for(pool, deps)
    await runner.setup()
    await a_program(deps, capacity=2)
    await runner.catch_up()
    owner = await pool.fetchval(
        "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'enrolment_programs'"
    )
    assert owner == APP
    await runner.rebuild("enrolment")
    assert await pool.fetchval("SELECT count(*) FROM enrolment_programs") == 1
    # A new version of the projection: its tables are dropped and made afresh, by the app.
    await pool.execute("UPDATE projection_checkpoints SET version = 0 WHERE name = 'enrolment'")
    await runner.setup()
    assert await pool.fetchval("SELECT count(*) FROM enrolment_programs") == 1


async def test_a_table_a_later_migration_adds_is_usable_by_the_app_without_a_grant(app, owner):
    await owner.execute("CREATE TABLE later_feature (id uuid PRIMARY KEY, note text)")
    await owner.execute("CREATE TABLE later_counter (id bigint GENERATED BY DEFAULT AS IDENTITY)")
    key = uuid.uuid4()
    await app.execute("INSERT INTO later_feature VALUES ($1, 'a')", key)
    await app.execute("UPDATE later_feature SET note = 'b' WHERE id = $1", key)
    assert await app.fetchval("SELECT note FROM later_feature") == "b"
    await app.execute("DELETE FROM later_feature")
    await app.execute("INSERT INTO later_counter DEFAULT VALUES")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await app.execute("DROP TABLE later_feature")


async def test_a_function_the_app_plants_stops_the_owners_migrations_and_changes_nothing(
    app, admin_database_url
):
    await app.execute(
        "CREATE FUNCTION public.format(text, text) RETURNS text LANGUAGE sql"
        " AS $$ SELECT 'GRANT UPDATE ON events TO bridgework_app' $$"
    )
    owner = await create_pool(as_role(admin_database_url, OWNER), 1, 1)
    try:
        with pytest.raises(PermissionError, match=r"owns functions \(format\(text,text\)\)"):
            await migrate(owner, APP, AUDITOR)
    finally:
        await owner.close()
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await app.execute("UPDATE events SET event_type = 'X'")


async def test_a_schema_the_app_names_after_the_owner_does_not_capture_its_migrations(
    app, admin_database_url
):
    await app.execute(f"CREATE SCHEMA {OWNER}")
    await app.execute(f"CREATE TABLE {OWNER}.schema_migrations (name text, applied_at timestamptz)")
    owner = await create_pool(as_role(admin_database_url, OWNER), 1, 1)
    try:
        assert await migrate(owner, APP, AUDITOR) == []  # it read public.schema_migrations
    finally:
        await owner.close()
