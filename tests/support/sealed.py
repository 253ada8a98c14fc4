"""A sealed log to tamper with, and tampering as only a superuser can do it."""

from __future__ import annotations

from bridgework.projections.seal import Sealer
from bridgework.services.directory import RegisterStudent, register_student
from support.context import staff
from support.scenario import a_program, runner_for


async def a_sealed_log(pool, deps):
    """A few organisations, a program and students, sealed three events a batch."""
    await a_program(deps, capacity=4)
    for name in ("Ada Okafor", "Bo Lindqvist", "Cy Marsh"):
        await register_student(deps, staff(), RegisterStudent(name=name, grade=8))
    runner = runner_for(pool, deps, [Sealer()], batch_size=3)
    await runner.setup()
    await runner.catch_up()
    return runner


async def superuser(admin_pool, statement: str, *args) -> None:
    """Change the log as only a superuser can: with the append-only triggers off (the app's
    own role may not, tests/integration/test_roles.py)."""
    async with admin_pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(statement, *args)


async def swap_in_log_order(admin_pool, a: int, b: int, a_tx: int, b_tx: int) -> None:
    """Give the events at positions `a` and `b` each other's tx_id (as only a superuser can)."""
    await superuser(
        admin_pool,
        "UPDATE events SET tx_id = CASE position WHEN $1 THEN $4::xid8 ELSE $3::xid8 END"
        " WHERE position IN ($1, $2)",
        a,
        b,
        a_tx,
        b_tx,
    )
