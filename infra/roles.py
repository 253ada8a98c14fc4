"""Least-privilege database roles: an owner runs the migrations and owns the log, the app
may only read the log and append to it, an auditor only reads.

`bootstrap` (a superuser, once per database: the embedded server and the tests do it
themselves; README shows the same SQL for a real server) creates the roles; `grant` (the
owner, after every migration run) gives the app and the auditor what they need, so a table a
later migration adds is usable by the app without that migration granting anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import asyncpg

if TYPE_CHECKING:
    from bridgework.projections.db import Connection

OWNER = "bridgework_owner"
APP = "bridgework_app"
AUDITOR = "bridgework_auditor"

APPENDED_COLUMNS = (
    "event_id",
    "stream_id",
    "stream_version",
    "event_type",
    "schema_version",
    "payload",
    "metadata",
    "scope",
)
"""What the store supplies when it appends (infra/statements.py). `position`, `tx_id` and
`recorded_at` are the database's defaults: the app cannot choose, backdate or reorder them."""

PROTECTED = ("events", "seal_state", "seal_leaves", "seal_nodes", "seal_checkpoints")
"""The owner's tables the app gets less than read-write on (see `grant`)."""


def bootstrap_sql(database: str) -> str:
    """Idempotent SQL a superuser runs connected to `database`: the three roles, the owner
    owning the database (so the owner may create in its `public` schema), the app allowed
    to create its projection tables there (and as-of scratch schemas), the owner a member of
    the app (so migrations may alter the tables the app created), the app reading every
    session's activity (`/ready` names another role's transaction holding readers back).
    Tables an older single-role setup left to the superuser are handed over: the log's to
    the owner, the rest to the app. `database` is ours (a constant or a test's generated
    name), never input."""
    # Two processes (or two test runs on one server) may bootstrap at once: a role the
    # other made first is fine.
    roles = "".join(
        f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{r}') THEN"
        f" BEGIN CREATE ROLE {r} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END;"
        " END IF;"
        for r in (OWNER, APP, AUDITOR)
    )
    protected = ", ".join(f"'{t}'" for t in (*PROTECTED, "schema_migrations"))
    return f"""
DO $$ BEGIN {roles} END $$;
GRANT {APP} TO {OWNER};
GRANT pg_read_all_stats TO {APP};
ALTER DATABASE "{database}" OWNER TO {OWNER};
GRANT CONNECT, CREATE, TEMPORARY ON DATABASE "{database}" TO {APP};
GRANT CONNECT ON DATABASE "{database}" TO {AUDITOR};
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO {APP};
GRANT USAGE ON SCHEMA public TO {AUDITOR};
DO $$ DECLARE t text; f regprocedure; BEGIN
    FOR t IN SELECT tablename FROM pg_tables
             WHERE schemaname = 'public' AND tableowner = current_user LOOP
        EXECUTE format('ALTER TABLE %I OWNER TO %I', t,
                       CASE WHEN t IN ({protected}) THEN '{OWNER}' ELSE '{APP}' END);
    END LOOP;
    FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public' AND p.proowner = (SELECT oid FROM pg_roles
                                                          WHERE rolname = current_user) LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO {OWNER}', f);
    END LOOP;
END $$;
"""  # noqa: S608 - only our constants and a database name of ours are interpolated


def grant_sql(owner: str, app: str, auditor: str | None) -> str:
    """Idempotent SQL the owner runs after its migrations. The app may read and write every
    table (default privileges cover tables added later), except: the log, which it may only
    read and append to through `APPENDED_COLUMNS` (no UPDATE, DELETE, TRUNCATE, no say over
    positions: not even the log's sequence); sealed leaves, the seal's subtree roots and
    signed checkpoints, which it only appends; the seal's
    state, which only the sealer moves. The auditor reads the log, the seal and checkpoint
    tables and every view (the tables the app owns), and nothing else (no keys, no mail)."""
    columns = ", ".join(APPENDED_COLUMNS)
    statements = [
        (
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
            f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}"
        ),
        (
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
            f" GRANT USAGE, SELECT ON SEQUENCES TO {app}"
        ),
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"REVOKE ALL ON {', '.join(PROTECTED)} FROM {app}",
        f"REVOKE ALL ON SEQUENCE events_position_seq FROM {app}",
        f"GRANT SELECT, INSERT ({columns}) ON events TO {app}",
        f"GRANT SELECT, INSERT ON seal_leaves, seal_nodes, seal_checkpoints TO {app}",
        f"GRANT SELECT, UPDATE ON seal_state TO {app}",
    ]
    if auditor is not None:
        statements += [
            (
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {app} IN SCHEMA public"
                f" GRANT SELECT ON TABLES TO {auditor}"
            ),
            f"""DO $$ DECLARE t text; BEGIN
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p')
               AND (c.relname IN ({", ".join(f"'{t}'" for t in PROTECTED)})
                    OR c.relname LIKE 'seal%' OR c.relname LIKE '%checkpoint%'
                    OR pg_get_userbyid(c.relowner) = '{app}') LOOP
        EXECUTE format('GRANT SELECT ON %I TO {auditor}', t);
    END LOOP;
END $$""",  # noqa: S608 - only our table names and checked role names
        ]
    return ";\n".join(statements) + ";"


async def bootstrap(admin_url: str, database: str) -> None:
    """Run `bootstrap_sql` as the superuser of `admin_url` (a DSN on `database`)."""
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(bootstrap_sql(database))
    finally:
        await conn.close()


async def grant(conn: Connection, app: str, auditor: str | None) -> None:
    """Run `grant_sql` as the connected owner; an auditor role that does not exist is skipped."""
    owner: str = await conn.fetchval("SELECT current_user")
    if auditor is not None and not await _exists(conn, auditor):
        auditor = None
    for role in (owner, app, auditor):
        if role is not None and not role.replace("_", "").isalnum():
            # Role names are spliced into SQL: only plain identifiers are accepted.
            msg = f"role name {role!r} must be letters, digits and underscores"
            raise ValueError(msg)
    await conn.execute(grant_sql(owner, app, auditor))


async def refuse_planted_code(conn: Connection, app: str) -> None:
    """Refuse to go on as the owner while the app owns a function: the app may create in
    `public` (its projection tables), so a function of its own there (an overload of `format`
    or `sha256` that resolves before the built-in) would run with the owner's privileges in
    the next migration. Bridgework's app creates tables and indexes only."""
    planted = await conn.fetch(
        "SELECT oid::regprocedure::text FROM pg_proc"
        " WHERE proowner = (SELECT oid FROM pg_roles WHERE rolname = $1) ORDER BY 1 LIMIT 5",
        app,
    )
    if planted:
        names = ", ".join(r[0] for r in planted)
        msg = (
            f"refusing to migrate: the app role {app} owns functions ({names}) that the owner"
            " could end up running; drop them (README, Database roles)"
        )
        raise PermissionError(msg)


async def _exists(conn: Connection, role: str) -> bool:
    return bool(await conn.fetchval("SELECT count(*) FROM pg_roles WHERE rolname = $1", role))


async def is_privileged(conn: Connection) -> bool:
    """Whether the connected role could rewrite the log: a superuser, or the log's owner
    (or a member of it)."""
    return bool(
        await conn.fetchval(
            "SELECT rolsuper OR coalesce(pg_has_role(current_user, (SELECT relowner FROM pg_class"
            " WHERE oid = to_regclass('public.events')), 'USAGE'), false)"
            " FROM pg_roles WHERE rolname = current_user"
        )
    )


def as_role(url: str, role: str) -> str:
    """The same server and database, connecting as `role` (trust or peer authentication:
    the embedded server and the tests' servers)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))
