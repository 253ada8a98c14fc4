"""The leaf hash PostgreSQL computes (`LEAF_HASH_SQL`, used by `verify`), and the bytes it
hashes (`LEAF_PREIMAGE_SQL`, hashed by `verify` in Python for half the pages), are the
one `leaf_bytes` gives in Python, byte for byte, for awkward rows: non-ASCII and escaped
text, JSON with odd spacing and a `\\u0000` escape, times before 1970 and with microseconds,
no scope and several organisations, large versions."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from bridgework.infra import statements
from bridgework.projections.merkle import leaf_hash
from bridgework.projections.seal import LEAF_HASH_SQL, LEAF_PREIMAGE_SQL, Sealer, leaf_bytes
from support.scenario import runner_for

AWKWARD = [
    ("student-é\u00e9\u0301", "Ünïcödé", '{"name":"Zoë 🦉","x":"\\u0000"}', "{}", 0),
    ("s", "T", '{ "a" :  [1, 2.50, 1e3],\n  "b": null }', '{"actor":"système"}', 2),
    ("long-" + "x" * 5000, "E", '"just a string"', '{"k": "\\"quoted\\""}', 1),
]
TIMES = [
    datetime(1969, 7, 20, 20, 17, 40, 123456, tzinfo=UTC),
    datetime(2026, 12, 2, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1970, 1, 1, tzinfo=UTC),
]


async def test_the_sql_leaf_hash_is_the_python_leaf_hash_of_every_awkward_row(admin_pool):
    pool = admin_pool  # rows written straight into the log, as only its owner may
    scopes = [[], [uuid4()], [uuid4(), uuid4(), uuid4()]]
    for i, (stream, kind, payload, metadata, scope_at) in enumerate(AWKWARD):
        await pool.execute(
            "INSERT INTO events (event_id, stream_id, stream_version, event_type, schema_version,"
            " payload, metadata, recorded_at, scope) VALUES ($1, $2, $3, $4, $5, $6::text::json,"
            " $7::text::json, $8, $9)",
            uuid4(),
            stream,
            2_000_000_000 - i,
            kind,
            2**31 - 1 - i,
            payload,
            metadata,
            TIMES[i],
            scopes[scope_at],
        )
    rows = await pool.fetch(
        f"SELECT {statements.COLUMNS}, {LEAF_PREIMAGE_SQL}, {LEAF_HASH_SQL} FROM events"  # noqa: S608
        " ORDER BY position"
    )
    assert len(rows) == len(AWKWARD)
    for row in rows:
        stored = statements.stored_event(row)
        assert row[-2] == b"\x00" + leaf_bytes(stored), stored.stream_id[:20]
        assert row[-1] == leaf_hash(leaf_bytes(stored)), stored.stream_id[:20]
    assert {len(statements.stored_event(r).scope) for r in rows} == {0, 1, 3}


async def test_the_sealers_python_leaves_are_the_databases_leaf_hashes(pool, admin_pool, deps):
    await admin_pool.execute(
        "INSERT INTO events (event_id, stream_id, stream_version, event_type, payload, metadata)"
        " VALUES ($1, 'ö', 1, 'T', '{\"a\": \"\\u0000\"}', '{}')",
        uuid4(),
    )
    runner = runner_for(pool, deps, [Sealer()], batch_size=2)
    await runner.setup()
    await runner.catch_up()
    rows = await pool.fetch(f"SELECT {statements.COLUMNS} FROM events ORDER BY tx_id, position")  # noqa: S608
    sealed = await pool.fetch("SELECT leaf FROM seal_leaves ORDER BY leaf_index")
    assert [r[0] for r in sealed] == [
        leaf_hash(leaf_bytes(statements.stored_event(r))) for r in rows
    ]
