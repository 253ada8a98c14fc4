"""Tamper-evident log rows (issue 14): sealing keeps up with appends, `verify` is fast.

    17a. sealing: the `seal` projection catching up over N stored events (leaf hashes by
         PostgreSQL, `LEAF_HASH_SQL`; the tree's frontier in Python), target ≥ 50,000/s
    17b. verify: `bridgework verify`'s check of N sealed events, target ≥ 200,000/s

Limit of both: a plain SHA-256 (hashlib, one call an event) of the same leaf bytes, already
in memory. `extra` also gives the pure-Python `leaf_bytes` + SHA-256 rate the sealer had.
"""

from __future__ import annotations

import hashlib
import statistics
from typing import Any

import harness
import store_rows
from bridgework.infra import statements
from bridgework.infra.sealing import verify
from bridgework.projections.merkle import leaf_hash
from bridgework.projections.runner import ProjectionRunner
from bridgework.projections.seal import Sealer, leaf_bytes


_UNSEAL = """
DELETE FROM seal_leaves;
DELETE FROM seal_nodes;
UPDATE seal_state SET size = 0, tx_id = '0', position = 0, frontier = '{}', root = sha256(''::bytea);
DELETE FROM projection_checkpoints WHERE name = 'seal';
"""


async def _leaf_bytes(pool: Any) -> list[bytes]:
    rows = await pool.fetch(f"SELECT {statements.COLUMNS} FROM events ORDER BY tx_id, position")  # noqa: S608
    return [leaf_bytes(statements.stored_event(r)) for r in rows]


def _sha256_rate(leaves: list[bytes]) -> float:
    with harness.Timer() as t:
        for b in leaves:
            hashlib.sha256(b"\x00" + b).digest()
    return len(leaves) / t.seconds


async def _python_leaf_rate(pool: Any) -> float:
    rows = await pool.fetch(f"SELECT {statements.COLUMNS} FROM events ORDER BY tx_id, position")  # noqa: S608
    with harness.Timer() as t:
        for r in rows:
            leaf_hash(leaf_bytes(statements.stored_event(r)))
    return len(rows) / t.seconds


async def run(admin_url: str, *, quick: bool) -> list[harness.Row]:
    events = 100_000 if quick else 500_000
    async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:
        pool = deps.store._pool  # noqa: SLF001
        await store_rows.fill(pool, events)
        leaves = await _leaf_bytes(pool)
        limit = statistics.median(_sha256_rate(leaves) for _ in range(3))
        python_rate = await _python_leaf_rate(pool)
        sealing = []
        for _ in range(3):  # each pass seals the whole log from nothing
            await pool.execute(_UNSEAL)
            runner = ProjectionRunner(pool, deps.store, deps.codec, [Sealer()])
            await runner.setup()
            with harness.Timer() as t:
                await runner.catch_up()
            sealed = await pool.fetchval("SELECT size FROM seal_state")
            if sealed != events:
                raise AssertionError(f"sealed {sealed} of {events} events")
            sealing.append(events / t.seconds)
        passes = []
        for _ in range(3):
            with harness.Timer() as t:
                verdict = await verify(pool)
            if verdict.problem is not None or verdict.sealed != events:
                raise AssertionError(f"verify: {verdict}")
            passes.append(events / t.seconds)
        seal_rate, verify_rate = statistics.median(sealing), statistics.median(passes)
    extra = {"events": events, "python_leaf_bytes_per_s": round(python_rate)}
    measured = (
        (f"17a. sealing {events:,} stored events (the seal projection)", seal_rate, 50_000,
         f"median of 3; pure-Python leaves {python_rate:,.0f}/s"),
        (f"17b. verify {events:,} sealed events", verify_rate, 200_000, "median of 3"),
    )
    return [
        harness.Row(
            name=name, unit="events/s", ours=rate, limit=limit, target=f"≥ {target:,}/s",
            met=rate >= target, notes=f"{notes}; limit = SHA-256 of the same leaf bytes",
            extra=extra,
        )
        for name, rate, target, notes in measured
    ]
