"""The sealer keeps the roots of the tree's perfect subtrees of 256 leaves and more
(`seal_nodes`, migration 0016), so an inclusion proof reads O(log n) of them and a few
hundred leaves instead of every leaf; the migration fills them in for a log sealed before."""

from __future__ import annotations

from importlib import resources

from bridgework.projections.checkpoints import SealedTree
from bridgework.projections.merkle import inclusion_proof, levels, stored_inclusion_proof
from bridgework.projections.seal import NODE_HEIGHT, Sealer
from bridgework.services.directory import RegisterStudent, register_student
from support.context import staff
from support.scenario import runner_for

EVENTS = 700  # two complete subtrees of 256 and one of 512


async def sealed(pool, deps) -> list[bytes]:
    """A log of `EVENTS` sealed in batches of 97 (subtrees complete across batches); its leaves."""
    for i in range(EVENTS):
        await register_student(deps, staff(), RegisterStudent(name=f"Student {i}", grade=8))
    runner = runner_for(pool, deps, [Sealer()], batch_size=97)
    await runner.setup()
    await runner.catch_up()
    return [r[0] for r in await pool.fetch("SELECT leaf FROM seal_leaves ORDER BY leaf_index")]


def expected_nodes(leaves: list[bytes]) -> list[tuple[int, int, bytes]]:
    tree = levels(leaves)
    return [
        (h, i, tree[h][i])
        for h in range(NODE_HEIGHT, len(tree))
        for i in range(len(leaves) >> h)  # the complete ones only
    ]


async def nodes(pool) -> list[tuple[int, int, bytes]]:
    rows = await pool.fetch("SELECT height, index, hash FROM seal_nodes ORDER BY height, index")
    return [tuple(r) for r in rows]


async def test_the_sealer_stores_every_complete_subtree_of_256_leaves_and_more(pool, deps):
    leaves = await sealed(pool, deps)
    assert len(leaves) >= EVENTS
    assert await nodes(pool) == expected_nodes(leaves)
    assert [h for h, _, _ in await nodes(pool)] == [8, 8, 9]


async def test_proofs_from_the_stored_subtrees_are_the_proofs_from_every_leaf(pool, deps):
    leaves = await sealed(pool, deps)
    n = len(leaves)
    for size in (1, 255, 256, 257, 512, 600, n):
        for index in {0, 1, 255, 256, 300, 511, 512, size - 1}:
            if index < size:
                got = await stored_inclusion_proof(SealedTree(pool), index, size, 256)
                assert got == inclusion_proof(index, leaves[:size]), (size, index)


async def test_the_migration_fills_in_the_subtrees_of_a_log_sealed_before_it(
    pool, deps, admin_pool
):
    leaves = await sealed(pool, deps)
    migration = resources.files("bridgework.infra") / "migrations" / "0016_seal_nodes.sql"
    backfill = migration.read_text()[migration.read_text().index("DO $$") :]
    async with admin_pool.acquire() as conn, conn.transaction():
        await conn.execute("DELETE FROM seal_nodes")
        await conn.execute(backfill)
    assert await nodes(pool) == expected_nodes(leaves)
    proof = await stored_inclusion_proof(SealedTree(pool), 600, len(leaves), 256)
    assert proof == inclusion_proof(600, leaves)
