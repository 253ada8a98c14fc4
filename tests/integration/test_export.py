"""`bridgework export` writes the events as stored with a manifest carrying the signed
checkpoint and each row's inclusion proof; `verify --export` checks the file offline and
names the first row altered, dropped or moved, and a manifest changed after signing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from bridgework.infra.checkpoints.export import ExportError, export, manifest_path
from bridgework.infra.checkpoints.offline import verify_export
from bridgework.infra.checkpoints.publisher import Publisher
from bridgework.infra.checkpoints.rows import COLUMNS
from bridgework.infra.checkpoints.signer import Signer
from bridgework.infra.settings import Settings
from bridgework.services.directory import (
    EraseStudent,
    RegisterStudent,
    erase_student,
    register_student,
)
from support.context import staff
from support.sealed import a_sealed_log
from support.serve import cli, environment

NOW = datetime.now(UTC)
WIDE = {"since": NOW - timedelta(days=1), "until": NOW + timedelta(days=1)}
REGISTERED = "bridgework.directory.StudentRegistered"


@pytest.fixture
def signer(tmp_path):
    return Signer.from_settings(Settings(data_dir=tmp_path / "keys", event_source="/lincoln"))


@pytest.fixture
async def covered(pool, deps, signer):
    """A sealed log whose every event the latest signed checkpoint covers."""
    runner = await a_sealed_log(pool, deps)
    student = (await register_student(deps, staff(), RegisterStudent(name="Ev Rook"))).id
    await erase_student(deps, staff(), EraseStudent(student_id=student, reason="asked"))
    await runner.catch_up()
    assert await Publisher(pool, signer, 10).publish() is not None
    return await pool.fetchval("SELECT count(*) FROM events")


def lines(path):
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
async def test_an_export_of_every_event_verifies_offline_erasure_and_all(
    pool, signer, covered, tmp_path, fmt
):
    output = tmp_path / f"log.{fmt}"
    done = await export(pool, signer, types=None, fmt=fmt, output=output, **WIDE)
    assert done.rows == done.tree_size == covered
    assert done.manifest == manifest_path(output)
    verdict = verify_export(output, [signer.verifier])
    assert (verdict.problem, verdict.rows) == (None, covered)
    if fmt == "csv":
        assert lines(output)[0].strip() == ",".join(COLUMNS)
    else:
        first = json.loads(lines(output)[0])
        assert first["leaf_index"] == 0
        assert first["payload"] == await pool.fetchval(
            "SELECT payload::text FROM events WHERE event_id = $1::uuid", first["event_id"]
        )


async def test_types_and_the_time_range_choose_the_rows_and_still_verify(
    pool, signer, covered, tmp_path
):
    output = tmp_path / "students.jsonl"
    done = await export(pool, signer, types=[REGISTERED], fmt="jsonl", output=output, **WIDE)
    rows = [json.loads(line) for line in lines(output)]
    assert {r["public_type"] for r in rows} == {REGISTERED}
    assert done.rows == len(rows) == 4
    assert verify_export(output, [signer.verifier]).problem is None
    past = {"since": NOW - timedelta(days=9), "until": NOW - timedelta(days=8)}
    empty = await export(pool, signer, types=None, fmt="jsonl", output=output, **past)
    assert empty.rows == 0
    assert verify_export(output, [signer.verifier]).problem is None
    with pytest.raises(ExportError, match=r"--types: bridgework\.nope\.Nothing"):
        await export(
            pool, signer, types=["bridgework.nope.Nothing"], fmt="jsonl", output=output, **WIDE
        )


async def test_an_altered_row_is_named(pool, signer, covered, tmp_path):
    output = tmp_path / "log.jsonl"
    await export(pool, signer, types=None, fmt="jsonl", output=output, **WIDE)
    rows = lines(output)
    row = json.loads(rows[2])
    row["metadata"] = row["metadata"].replace('"actor"', '"actor" ')
    rows[2] = json.dumps(row) + "\n"
    output.write_text("".join(rows), encoding="utf-8")
    assert verify_export(output, [signer.verifier]).problem == (
        f"row 3 (leaf 2, event {row['event_id']}) was altered: its leaf is not in the signed"
        f" tree of {covered:,}"
    )


async def test_an_altered_csv_cell_is_named(pool, signer, covered, tmp_path):
    output = tmp_path / "log.csv"
    await export(pool, signer, types=None, fmt="csv", output=output, **WIDE)
    rows = lines(output)
    rows[4] = rows[4].replace(",1,", ",2,", 1)  # a stream version or schema version
    output.write_text("".join(rows), encoding="utf-8")
    assert "row 4 (leaf 3, event " in (verify_export(output, [signer.verifier]).problem or "")


async def test_a_dropped_row_is_named_by_the_manifests_listing(pool, signer, covered, tmp_path):
    output = tmp_path / "log.jsonl"
    await export(pool, signer, types=None, fmt="jsonl", output=output, **WIDE)
    rows = lines(output)
    dropped, last = json.loads(rows[3]), json.loads(rows[-1])
    output.write_text("".join(rows[:3] + rows[4:]), encoding="utf-8")
    problem = verify_export(output, [signer.verifier]).problem or ""
    assert problem.startswith(f"row 4: leaf 4, event {json.loads(rows[4])['event_id']}")
    assert f"(leaf 3, event {dropped['event_id']}): a row was dropped, added or moved" in problem
    output.write_text("".join(rows[:-1]), encoding="utf-8")
    assert verify_export(output, [signer.verifier]).problem == (
        f"row {covered} (leaf {covered - 1}, event {last['event_id']}) is missing: the file has"
        f" {covered - 1:,} rows, the manifest lists {covered:,}"
    )


async def test_a_manifest_changed_after_signing_or_another_key_is_named(
    pool, signer, covered, tmp_path
):
    output = tmp_path / "log.jsonl"
    await export(pool, signer, types=None, fmt="jsonl", output=output, **WIDE)
    other = Signer.from_settings(Settings(data_dir=tmp_path / "other", event_source="/lincoln"))
    assert "no signature by" in (verify_export(output, [other.verifier]).problem or "")
    manifest = json.loads(manifest_path(output).read_text())
    manifest["leaves"].pop(3)
    manifest["rows"] -= 1
    manifest_path(output).write_text(json.dumps(manifest))
    rows = lines(output)
    output.write_text("".join(rows[:3] + rows[4:]), encoding="utf-8")
    assert verify_export(output, [signer.verifier]).problem == (
        "manifest: changed since it was signed (its listing digest differs)"
    )


@pytest.mark.slow
async def test_bridgework_export_then_verify_export_offline(
    pool, signer, covered, database_url, tmp_path
):
    env = environment(
        DATABASE_URL=database_url,
        BRIDGEWORK_DATA_DIR=str(tmp_path),
        BRIDGEWORK_CHECKPOINT_KEY=str(tmp_path / "keys" / "checkpoint_key.pem"),
        BRIDGEWORK_CHECKPOINT_NAME=signer.name,
    )
    output, key = tmp_path / "out.csv", tmp_path / "vkey.txt"
    key.write_text(signer.verifier.vkey() + "\n")
    window = ("--from", WIDE["since"].isoformat(), "--to", WIDE["until"].isoformat())
    made = cli("export", *window, "--format", "csv", "--output", str(output), env=env)
    assert made.returncode == 0, made.stdout + made.stderr
    assert f"exported {covered:,} events" in made.stdout
    offline = environment(DATABASE_URL="postgresql://nowhere.invalid/none")  # never used
    ok = cli("verify", "--export", str(output), "--public-key", str(key), env=offline)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith(f"ok: {covered:,} rows")
    rows = lines(output)
    output.write_text("".join(rows[:2] + rows[3:]), encoding="utf-8")  # row 2 dropped
    bad = cli("verify", "--export", str(output), "--public-key", str(key), env=offline)
    assert bad.returncode == 1
    assert bad.stdout.startswith("TAMPERED: row 2: leaf 2, event ")
    naive = cli("export", "--from", "yesterday", "--to", "x", "--output", str(output), env=env)
    assert naive.returncode == 2
    assert "--from" in naive.stderr
