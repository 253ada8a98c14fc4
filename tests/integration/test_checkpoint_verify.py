"""`bridgework verify --checkpoint`: a saved signed checkpoint is checked, then the log as it
is now is proved to extend it; a bad signature, a shorter log and a log whose first N events
differ are each named (with the first differing event), and exit 1."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from bridgework.infra.checkpoints.consistency import extends
from bridgework.infra.checkpoints.note import TreeHead
from bridgework.infra.checkpoints.publisher import Publisher
from bridgework.infra.checkpoints.signer import Signer
from bridgework.infra.settings import Settings
from bridgework.projections.merkle import root_of
from bridgework.services.directory import RegisterStudent, register_student
from support.context import staff
from support.sealed import a_sealed_log, superuser
from support.serve import cli, environment


@pytest.fixture
def signer(tmp_path):
    return Signer.from_settings(Settings(data_dir=tmp_path, event_source="https://audit.example"))


async def a_checkpoint(pool, deps, signer):
    """A sealed log, its signed checkpoint, and then more events sealed after it."""
    runner = await a_sealed_log(pool, deps)
    head = await Publisher(pool, signer, 10).publish()
    assert head is not None
    note = await pool.fetchval("SELECT note FROM seal_checkpoints WHERE size = $1", head.size)
    await register_student(deps, staff(), RegisterStudent(name="Di Quill", grade=7))
    await runner.catch_up()
    return runner, head, note


async def test_the_log_extends_its_own_signed_checkpoint(pool, deps, signer):
    _, head, note = await a_checkpoint(pool, deps, signer)
    found = await extends(pool, note, [signer.verifier])
    assert found.problem is None
    assert found.head == head
    assert found.size == head.size + 1
    assert found.proof > 0


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda n: n.replace("\ntime ", "\ntime 1"), "bad signature"),
        (lambda n: n.split("\n", 1)[0] + "\n1" + n.split("\n", 2)[2], "bad signature"),
        (lambda n: n.replace("\n\n", "\n"), "not a signed note"),
    ],
)
async def test_a_changed_checkpoint_is_named_a_bad_signature(pool, deps, signer, change, named):
    _, _, note = await a_checkpoint(pool, deps, signer)
    found = await extends(pool, change(note), [signer.verifier])
    assert found.head is None
    assert named in (found.problem or "")


async def test_a_checkpoint_under_another_key_is_refused(pool, deps, signer, tmp_path):
    _, _, note = await a_checkpoint(pool, deps, signer)
    other = Signer.from_settings(Settings(data_dir=tmp_path / "other", event_source="/x"))
    found = await extends(pool, note, [other.verifier])
    assert found.head is None
    assert "no signature by" in (found.problem or "")


async def test_a_log_shorter_than_the_checkpoint_is_named_with_the_event_removed(
    pool, deps, signer, admin_pool
):
    _, head, note = await a_checkpoint(pool, deps, signer)
    rows = await pool.fetch("SELECT position, event_id FROM events ORDER BY tx_id, position")
    for position, _ in rows[head.size - 2 :]:
        await superuser(admin_pool, "DELETE FROM events WHERE position = $1", position)
    found = await extends(pool, note, [signer.verifier])
    assert found.problem is not None
    assert found.problem.startswith(f"log shorter: it holds {head.size - 2:,} events")
    removed = rows[head.size - 2]
    assert f"event {removed['event_id']} at position {removed['position']} was removed" in (
        found.problem
    )


async def test_an_altered_event_under_the_checkpoint_is_named_as_the_first_difference(
    pool, deps, signer, admin_pool
):
    _, head, note = await a_checkpoint(pool, deps, signer)
    position, event_id = await pool.fetchrow(
        "SELECT position, event_id FROM events ORDER BY tx_id, position LIMIT 1 OFFSET 3"
    )
    await superuser(admin_pool, "UPDATE events SET metadata = '{}' WHERE position = $1", position)
    found = await extends(pool, note, [signer.verifier])
    assert found.problem == (
        f"root differs at size {head.size:,}: leaf 3: event {event_id} at position {position}"
        " was altered"
    )


async def test_a_log_resealed_after_tampering_is_caught_and_bounded_by_the_stored_checkpoints(
    pool, deps, signer, admin_pool
):
    """The attacker rewrote the stored tree to match the altered log: only signatures hold.
    Checkpoints signed at every size name the very event."""
    runner, head, note = await a_checkpoint(pool, deps, signer)
    leaves = [r[0] for r in await pool.fetch("SELECT leaf FROM seal_leaves ORDER BY leaf_index")]
    at = datetime.now(UTC)
    for size in range(1, head.size):
        signed = TreeHead(signer.name, size, root_of(leaves[:size]), at)
        await admin_pool.execute(
            "INSERT INTO seal_checkpoints VALUES ($1, $2, $3, $4, $5)",
            size,
            signed.root,
            at,
            signer.name,
            signer.sign(signed),
        )
    position, event_id = await pool.fetchrow(
        "SELECT position, event_id FROM events ORDER BY tx_id, position LIMIT 1 OFFSET 4"
    )
    await superuser(admin_pool, "UPDATE events SET metadata = '{}' WHERE position = $1", position)
    await admin_pool.execute("DELETE FROM seal_leaves")
    await admin_pool.execute(
        "UPDATE seal_state SET size = 0, tx_id = '0', position = 0, frontier = '{}',"
        " root = sha256(''::bytea)"
    )
    await runner.rebuild("seal")
    found = await extends(pool, note, [signer.verifier])
    assert found.problem == (
        f"root differs at size {head.size:,}: leaf 4: event {event_id} at position {position}"
        " is not the one signed"
    )


@pytest.mark.slow
async def test_bridgework_verify_with_a_checkpoint_exits_0_then_1_naming_what_is_wrong(
    pool, deps, signer, database_url, tmp_path
):
    _, _, note = await a_checkpoint(pool, deps, signer)
    saved, key = tmp_path / "checkpoint.txt", tmp_path / "keys.txt"
    saved.write_text(note)
    key.write_text(signer.verifier.vkey() + "\n")
    env = environment(DATABASE_URL=database_url, BRIDGEWORK_DATA_DIR=str(tmp_path))
    args = ("verify", "--checkpoint", str(saved), "--public-key", str(key))
    ok = cli(*args, env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "extend the signed checkpoint" in ok.stdout
    saved.write_text(note.replace("\ntime ", "\ntime 1"))
    bad = cli(*args, env=env)
    assert bad.returncode == 1
    assert bad.stdout.startswith("BAD CHECKPOINT: bad signature")
    alone = cli("verify", "--checkpoint", str(saved), env=env)
    assert alone.returncode == 1
    assert "--public-key" in alone.stdout
