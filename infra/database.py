"""PostgreSQL connections: the embedded server for a fresh machine, and the asyncpg pool."""

from __future__ import annotations

import asyncio
import logging
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import asyncpg
from bridgework.infra.roles import APP, OWNER, as_role, bootstrap

if TYPE_CHECKING:
    from pathlib import Path

    from bridgework.infra.settings import Settings

log = logging.getLogger("bridgework")

DATABASE = "bridgework"
CLUSTER = "pg"
"""The embedded server's cluster folder inside the data dir (beside the keys, which are not
PostgreSQL's)."""
IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000
"""A session idle inside a transaction holds back every reader of the log (FIELD_NOTES.md)."""


def embedded_server(data_dir: Path) -> Any:
    """Start (or join) the embedded PostgreSQL in `data_dir`.

    pgserver keeps one server per folder, shared by every process using it, and stops it
    when the last of them exits (or calls `cleanup()`).
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its fallback is fine.
        warnings.filterwarnings("ignore", "XDG_RUNTIME_DIR")
        import pgserver  # noqa: PLC0415 - only needed without DATABASE_URL

    data_dir.mkdir(parents=True, exist_ok=True)
    return pgserver.get_server(data_dir.resolve() / CLUSTER, cleanup_mode="stop")  # type: ignore[attr-defined]


def embedded_database_url(data_dir: Path, database: str = DATABASE) -> str:
    """A DSN for `database` on the embedded server in `data_dir`, created if missing."""
    server = embedded_server(data_dir)
    # `database` is ours (a constant or a test's generated name), never user input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
        log.info("created database %s in %s", database, data_dir)
    url: str = server.get_uri(database)
    return url


@dataclass(frozen=True)
class DatabaseUrls:
    app: str
    """The app's connection (`DATABASE_URL`)."""
    migration: str | None
    """The owner's, which runs the migrations; None: the app's runs them (a single role)."""


async def database_urls(settings: Settings) -> DatabaseUrls:
    """`DATABASE_URL` (and `BRIDGEWORK_MIGRATION_DATABASE_URL`) if set, else the embedded
    server, its roles set up (idempotent) and the app connecting as `bridgework_app`."""
    if settings.database_url:
        return DatabaseUrls(settings.database_url, settings.migration_database_url)
    admin = await asyncio.to_thread(embedded_database_url, settings.data_dir)
    await bootstrap(admin, DATABASE)
    return DatabaseUrls(as_role(admin, APP), as_role(admin, OWNER))


async def _init_connection(conn: asyncpg.Connection) -> None:
    # Payloads and metadata travel as raw JSON bytes: msgspec encodes and decodes them.
    await conn.set_type_codec(
        "json", schema="pg_catalog", encoder=bytes, decoder=bytes, format="binary"
    )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Nothing to undo on release: Bridgework sets no session state, its locks are
    transaction-scoped, and the store unlistens before it gives its connection back.

    asyncpg's default reset (`RESET ALL`, `UNLISTEN *`, …) costs a round trip on every
    release, which is a third of the round trips of a command."""


async def create_pool(
    dsn: str, min_size: int = 2, max_size: int = 10, *, search_path: str | None = None
) -> asyncpg.Pool:
    """The pool every part of the process shares; with `search_path`, one whose connections
    resolve table names there first (an as-of view's scratch schema, `projections/asof.py`)."""
    path = {} if search_path is None else {"search_path": search_path}
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        server_settings={
            "application_name": "bridgework",
            "idle_in_transaction_session_timeout": str(IDLE_IN_TRANSACTION_TIMEOUT_MS),
            **path,
        },
    )
    if pool is None:  # only when asyncpg is asked not to connect
        raise RuntimeError("asyncpg.create_pool returned no pool")
    return pool
