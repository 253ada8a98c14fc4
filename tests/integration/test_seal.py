"""The sealer seals the log as stored, and `bridgework verify` names the first event altered,
removed or moved behind its back, even by a superuser with the append-only triggers off."""

from __future__ import annotations

import pytest
from bridgework.infra.crypto.cipher import SEALED_MARK
from bridgework.infra.sealing import Verdict, verify
from bridgework.projections.merkle import leaf_hash, root_of
from bridgework.projections.seal import leaf_bytes
from bridgework.services.directory import (
    EraseStudent,
    RegisterStudent,
    erase_student,
    register_student,
)
from bridgework.services.ports import ORIGIN
from support.context import staff
from support.sealed import a_sealed_log, superuser, swap_in_log_order
from support.serve import cli, environment


async def test_the_sealed_root_is_the_rfc_9162_root_of_every_stored_row_in_log_order(pool, deps):
    await a_sealed_log(pool, deps)
    events = await deps.store.read_after(ORIGIN, 10_000)
    state = await pool.fetchrow("SELECT size, root FROM seal_state")
    assert state["size"] == len(events) > 5
    assert state["root"] == root_of([leaf_hash(leaf_bytes(e)) for e in events])
    assert await verify(pool) == Verdict(sealed=len(events), unsealed=0)


async def test_a_rebuild_of_the_sealer_seals_nothing_twice_and_still_verifies(pool, deps):
    runner = await a_sealed_log(pool, deps)
    before = await pool.fetchrow("SELECT size, root FROM seal_state")
    await runner.rebuild("seal")
    assert await pool.fetchrow("SELECT size, root FROM seal_state") == before
    assert (await verify(pool)).problem is None


async def test_new_events_are_reported_unsealed_until_the_sealer_reaches_them(pool, deps):
    runner = await a_sealed_log(pool, deps)
    await register_student(deps, staff(), RegisterStudent(name="Di Quill", grade=7))
    verdict = await verify(pool)
    assert (verdict.problem, verdict.unsealed) == (None, 1)
    await runner.catch_up()
    assert (await verify(pool)).unsealed == 0


async def test_an_altered_payload_is_named_by_position_and_event_id(pool, deps, admin_pool):
    await a_sealed_log(pool, deps)
    position, event_id = await pool.fetchrow(
        "SELECT position, event_id FROM events WHERE event_type = 'StudentRegistered'"
        " ORDER BY position LIMIT 1 OFFSET 1"
    )
    index = await pool.fetchval("SELECT leaf_index FROM seal_leaves WHERE position = $1", position)
    await superuser(
        admin_pool, "UPDATE events SET payload = '{\"grade\": 12}' WHERE position = $1", position
    )
    verdict = await verify(pool)
    assert verdict.problem == (f"leaf {index}: event {event_id} at position {position} was altered")


async def test_a_deleted_event_is_named_as_removed(pool, deps, admin_pool):
    await a_sealed_log(pool, deps)
    position, event_id = await pool.fetchrow(
        "SELECT position, event_id FROM events ORDER BY position LIMIT 1 OFFSET 4"
    )
    await superuser(admin_pool, "DELETE FROM events WHERE position = $1", position)
    verdict = await verify(pool)
    assert verdict.problem is not None
    assert f"event {event_id} at position {position} was removed" in verdict.problem


async def test_the_last_event_deleted_is_named_as_removed(pool, deps, admin_pool):
    await a_sealed_log(pool, deps)
    position, event_id = await pool.fetchrow(
        "SELECT position, event_id FROM events ORDER BY position DESC LIMIT 1"
    )
    await superuser(admin_pool, "DELETE FROM events WHERE position = $1", position)
    verdict = await verify(pool)
    assert verdict.problem is not None
    assert f"event {event_id} at position {position} was removed" in verdict.problem


async def test_two_events_swapped_in_the_log_order_are_named_as_moved(pool, deps, admin_pool):
    await a_sealed_log(pool, deps)
    (a, a_tx, _), (b, b_tx, b_id) = await pool.fetch(
        "SELECT position, tx_id, event_id FROM events ORDER BY tx_id, position LIMIT 2 OFFSET 2"
    )
    await swap_in_log_order(admin_pool, a, b, a_tx, b_tx)
    assert (await verify(pool)).problem == (
        f"leaf 2: event {b_id} at position {b} was moved (it was sealed as leaf 3)"
    )


async def test_a_backdated_event_inserted_is_named_as_inserted(pool, deps, admin_pool):
    await a_sealed_log(pool, deps)
    await superuser(
        admin_pool,
        "INSERT INTO events (tx_id, event_id, stream_id, stream_version, event_type, payload,"
        " metadata) SELECT '1', gen_random_uuid(), 'forged', 1, 'StudentRegistered', '{}', '{}'",
    )
    forged = await pool.fetchrow("SELECT position, event_id FROM events WHERE stream_id = 'forged'")
    assert (await verify(pool)).problem == (
        f"leaf 0: event {forged['event_id']} at position {forged['position']} was inserted"
        " (it was never sealed)"
    )


async def test_a_changed_stored_root_is_found_even_when_every_leaf_matches(pool, deps):
    await a_sealed_log(pool, deps)
    await pool.execute("UPDATE seal_state SET root = sha256('forged'::bytea)")
    assert "is not the leaves' root" in ((await verify(pool)).problem or "")


async def test_an_erased_students_history_still_verifies(pool, deps):
    runner = await a_sealed_log(pool, deps)
    student = (await register_student(deps, staff(), RegisterStudent(name="Ev Rook"))).id
    await runner.catch_up()
    payload = await pool.fetchval(
        "SELECT payload::text FROM events WHERE stream_id LIKE '%' || $1", str(student)
    )
    assert SEALED_MARK.decode() in payload  # its name is sealed under a data key, not plain
    assert "Ev Rook" not in payload
    await erase_student(deps, staff(), EraseStudent(student_id=student, reason="asked"))
    await runner.catch_up()
    verdict = await verify(pool)
    assert verdict.problem is None
    assert verdict.sealed == await pool.fetchval("SELECT count(*) FROM events")


@pytest.mark.slow
async def test_bridgework_verify_exits_0_on_the_sealed_log_and_1_naming_an_altered_event(
    pool, deps, admin_pool, database_url, tmp_path
):
    await a_sealed_log(pool, deps)
    env = environment(DATABASE_URL=database_url, BRIDGEWORK_DATA_DIR=str(tmp_path))
    ok = cli("verify", env=env)
    assert (ok.returncode, ok.stdout) == (0, ok.stdout)
    assert ok.stdout.startswith("ok: ")
    position, event_id = await pool.fetchrow("SELECT position, event_id FROM events LIMIT 1")
    await superuser(admin_pool, "UPDATE events SET metadata = '{}' WHERE position = $1", position)
    tampered = cli("verify", env=env)
    assert tampered.returncode == 1, tampered.stderr
    assert f"event {event_id} at position {position} was altered" in tampered.stdout
