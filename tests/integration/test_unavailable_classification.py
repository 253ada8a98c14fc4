"""Which database failures are UNAVAILABLE (retry later) and which are INTERNAL (ours to
fix), told apart on errors the real PostgreSQL and driver raise."""

from __future__ import annotations

import asyncpg
import pytest
from bridgework.graphql.codes import is_unavailable
from support.postgres import free_port


async def raised(coroutine) -> BaseException:
    with pytest.raises(Exception) as caught:
        await coroutine
    return caught.value


async def test_a_statement_timeout_is_unavailable(pool):
    async with pool.acquire() as conn:
        await conn.execute("SET statement_timeout = 50")
        error = await raised(conn.execute("SELECT pg_sleep(5)"))
        await conn.execute("RESET statement_timeout")
    assert isinstance(error, asyncpg.QueryCanceledError)
    assert is_unavailable(error)


async def test_a_connection_ended_by_the_server_is_unavailable(database_url):
    conn = await asyncpg.connect(database_url)
    try:
        error = await raised(conn.execute("SELECT pg_terminate_backend(pg_backend_pid())"))
        assert isinstance(error, asyncpg.AdminShutdownError | asyncpg.ConnectionDoesNotExistError)
        assert is_unavailable(error)
        closed = await raised(conn.execute("SELECT 1"))
        assert is_unavailable(closed), closed
    finally:
        await conn.close()


async def test_no_server_listening_is_unavailable():
    error = await raised(asyncpg.connect(f"postgresql://postgres@127.0.0.1:{free_port()}/x"))
    assert isinstance(error, OSError)
    assert is_unavailable(error)


async def test_our_own_mistakes_are_not(pool):
    bad_sql = await raised(pool.execute("SELEC 1"))
    duplicate = await raised(
        pool.execute(
            "INSERT INTO commands (command_id, request_hash, result, position)"
            " VALUES ('k', 'h', '{}', 0), ('k', 'h', '{}', 0)"
        )
    )
    nul = await raised(pool.execute("SELECT $1::text", "a\x00b"))
    assert [is_unavailable(e) for e in (bad_sql, duplicate, nul)] == [False, False, False]
    assert not is_unavailable(RuntimeError("anything else"))
