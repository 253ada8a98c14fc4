"""Versioned SQL migrations, applied in name order at start-up and by `bridgework migrate`."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from bridgework.infra.roles import grant, refuse_planted_code

if TYPE_CHECKING:
    import asyncpg

_LOCK = 0x62726964  # any constant: serialises migrations from processes starting together


def available() -> list[tuple[str, str]]:
    """(name, sql) of every migration shipped with the package, in order."""
    folder = resources.files("bridgework.infra") / "migrations"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]


async def migrate(
    pool: asyncpg.Pool, app_role: str | None = None, auditor_role: str | None = None
) -> list[str]:
    """Apply the migrations this database has not seen; return their names.

    With `app_role` (the pool is the owner's), grant the app and the auditor their
    privileges afterwards, in the same transaction (infra/roles.py); first make sure that
    nothing the app made can run as the owner: names resolve in `public` only (the app may
    create schemas, one named after the owner too), and the app owns no functions."""
    applied: list[str] = []
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
        if app_role is not None:
            await conn.execute("SET LOCAL search_path = public")
            await refuse_planted_code(conn, app_role)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
        for name, sql in available():
            if name not in done:
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                applied.append(name)
        if app_role is not None:
            await grant(conn, app_role, auditor_role)
    return applied
