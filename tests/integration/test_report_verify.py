"""`bridgework verify --report`: a signed impact report checks out against the log; an altered
number, a report signed by another key, a tampered log under it and a bad file are each named."""

from __future__ import annotations

import asyncio
import json

import msgspec
import pytest
from bridgework.infra.checkpoints.publisher import Publisher
from bridgework.infra.checkpoints.signer import Signer
from bridgework.infra.crypto.kek import process_keks
from bridgework.infra.report import report_body, report_document
from bridgework.infra.report_verify import MAX_REPORT, ReportProblem, verify_report
from bridgework.infra.roles import AUDITOR, as_role
from bridgework.infra.runtime import open_runtime
from bridgework.infra.settings import Settings
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from support.auth import TEST_KEYS
from support.impact import PERIOD, a_year
from support.sealed import superuser
from support.serve import cli, environment


@pytest.fixture
async def settings(database_url):
    keks = (process_keks().current.encoded(),)
    return Settings(database_url=database_url, data_dir=TEST_KEYS, kek=keks)


@pytest.fixture
async def runtime(settings):
    async with open_runtime(settings) as running:
        yield running


def write(path, document) -> None:
    path.write_bytes(msgspec.json.format(msgspec.json.encode(document)) + b"\n")


async def a_signed_report(runtime, tmp_path, *, publish=True):
    """A report as of a past position, signed, under a published checkpoint; its file."""
    partnership, position, _ = await a_year(runtime)
    if publish:
        assert await Publisher(runtime.pool, runtime.signer, 10).publish() is not None
    document = await report_document(
        runtime, partnership, *PERIOD, position=position, signer=runtime.signer
    )
    path = tmp_path / "report.json"
    write(path, document)
    return document, path


async def refused(settings, path, keys=None) -> ReportProblem:
    with pytest.raises(ReportProblem) as caught:
        await verify_report(settings, path, keys)
    return caught.value


async def test_a_signed_report_verifies_with_the_own_key_or_a_given_one(
    runtime, settings, tmp_path
):
    document, path = await a_signed_report(runtime, tmp_path)
    ok = await verify_report(settings, path, None)
    position = document["asOf"]["position"]
    assert ok.startswith(f"ok: the report as of position {position:,} ")
    assert f"checked with the checkpoint key in {TEST_KEYS}" in ok
    keys = tmp_path / "keys.txt"
    keys.write_text(runtime.signer.verifier.vkey() + "\n")
    assert f"checked with {keys}" in await verify_report(settings, path, keys)


async def test_an_altered_number_is_named_whether_re_signed_or_not(runtime, settings, tmp_path):
    document, path = await a_signed_report(runtime, tmp_path)
    document["report"]["totals"]["students"] = 8  # the log says 7
    write(path, document)
    stale = await refused(settings, path)
    assert (stale.kind, str(stale)) == (
        "TAMPERED",
        f"signature: the report changed since {runtime.signer.name} signed it",
    )
    signer = runtime.signer  # re-signed with the right key: only recomputing catches it
    document["signature"] = signer.sign_text(report_body(signer.name, document))
    write(path, document)
    differ = await refused(settings, path)
    assert (differ.kind, str(differ)) == (
        "NUMBERS DIFFER",
        "report.totals.students: file says 8, the log says 7",
    )
    document["report"]["totals"]["students"] = 7
    document["report"]["breakdowns"][1]["groups"][0]["numbers"]["completions"] = 0
    document["signature"] = signer.sign_text(report_body(signer.name, document))
    write(path, document)
    assert str(await refused(settings, path)) == (
        "report.breakdowns[1].groups[0].numbers.completions: file says 0, the log says 1"
    )


async def test_a_report_signed_by_another_key_is_refused(runtime, settings, tmp_path):
    document, path = await a_signed_report(runtime, tmp_path)
    same_name = Signer(runtime.signer.name, Ed25519PrivateKey.generate())
    for other in (same_name, Signer("x", Ed25519PrivateKey.generate())):
        document["signature"] = other.sign_text(report_body(other.name, document))
        write(path, document)
        problem = await refused(settings, path)
        assert problem.kind == "BAD SIGNATURE"
        assert str(problem).startswith("signature: bad signature: no signature by ")
    keys = tmp_path / "other.txt"
    keys.write_text(other.verifier.vkey() + "\n")  # the other key given: the checkpoint is not its
    problem = await refused(settings, path, keys)
    assert problem.kind == "BAD CHECKPOINT"


async def test_a_tampered_log_under_the_report_is_named(runtime, settings, admin_pool, tmp_path):
    document, path = await a_signed_report(runtime, tmp_path)
    position = document["asOf"]["position"]
    statement = "UPDATE events SET metadata = '{}' WHERE position = $1"
    await superuser(admin_pool, statement, position)
    problem = await refused(settings, path)
    assert problem.kind == "TAMPERED"
    assert f"at position {position}" in str(problem)


async def test_a_report_no_checkpoint_covers_is_unproven(runtime, settings, tmp_path):
    document, path = await a_signed_report(runtime, tmp_path, publish=False)
    assert document["checkpoint"] is None
    assert (await refused(settings, path)).kind == "UNPROVEN"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d.pop("asOf"), "asOf.position: missing"),
        (lambda d: d["asOf"].update(position="12"), "asOf.position: not a int"),
        (lambda d: d["asOf"].update(events=True), "asOf.events: not a int"),
        (lambda d: d["asOf"].update(position=2**70), "asOf.position: 1180591620717411303424 is"),
        (lambda d: d.update(signature=None), "signature: not a str"),
        (lambda d: d.update(checkpoint=7), "checkpoint: not a str"),
        (lambda d: d["report"].pop("totals"), "report.totals: missing"),
        (lambda d: d["partnership"].update(id="nope"), "partnership.id: 'nope' does not read"),
        (lambda d: d["report"].update(endsOn="\x00"), "report.endsOn: '\\x00' does not read"),
        (lambda d: d.update(format="x"), "format: not 'bridgework.impact-report/1'"),
    ],
)
async def test_a_bad_report_file_is_refused_naming_the_field(settings, tmp_path, change, named):
    document = {
        "format": "bridgework.impact-report/1",
        "asOf": {"position": 3, "events": 3},
        "checkpoint": None,
        "partnership": {"id": "00000000-0000-0000-0000-000000000001"},
        "report": {
            "startsOn": "2026-01-01",
            "endsOn": "2026-12-31",
            "totals": {},
            "breakdowns": [],
        },
        "signature": "",
    }
    change(document)
    path = tmp_path / "bad.json"
    write(path, document)
    problem = await refused(settings, path)
    assert problem.kind == "BAD REPORT"
    assert str(problem).startswith(named)


async def test_a_file_that_is_not_a_report_is_refused(settings, tmp_path):
    path = tmp_path / "bad.json"
    for content, named in (
        (b"{nope", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (b'{"a": ' + b"9" * 10_000 + b"}", "not JSON"),
        (b" " * (MAX_REPORT + 1), f"larger than {MAX_REPORT:,} bytes"),
    ):
        path.write_bytes(content)
        assert named in str(await refused(settings, path))
    assert "cannot read" in str(await refused(settings, tmp_path / "absent.json"))


@pytest.mark.slow
async def test_bridgework_verify_report_ok_a_failure_and_the_auditor(
    runtime, database_url, admin_database_url, tmp_path
):
    document, path = await a_signed_report(runtime, tmp_path)
    env = environment(
        DATABASE_URL=database_url,
        BRIDGEWORK_DATA_DIR=str(TEST_KEYS),
        BRIDGEWORK_KEK=process_keks().current.encoded(),
    )
    ok = await asyncio.to_thread(cli, "verify", "--report", str(path), env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("ok: the report as of position ")
    auditor = env | {"DATABASE_URL": as_role(admin_database_url, AUDITOR)}
    read_only = await asyncio.to_thread(cli, "verify", "--report", str(path), env=auditor)
    assert read_only.returncode == 1
    assert read_only.stdout.startswith("CANNOT RECOMPUTE: the signature and checkpoint hold")
    assert f"role {AUDITOR} may not CREATE" in read_only.stdout
    document["report"]["totals"]["seats"] += 1
    path.write_text(json.dumps(document))
    altered = await asyncio.to_thread(cli, "verify", "--report", str(path), env=env)
    assert altered.returncode == 1
    assert altered.stdout.startswith("TAMPERED: signature: the report changed since ")
    assert "Traceback" not in altered.stderr
