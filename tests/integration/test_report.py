"""`bridgework report`: a partnership's impact report as of a position equals what the live
report showed then (captured during the test), as JSON and as a self-contained HTML page,
with small groups suppressed in both."""

from __future__ import annotations

import json
from datetime import timedelta

import msgspec
import pytest
from bridgework.infra.checkpoints.note import verified_body
from bridgework.infra.checkpoints.publisher import Publisher
from bridgework.infra.crypto.kek import process_keks
from bridgework.infra.report import ReportRefused, report_body, report_document, signed_bytes
from bridgework.infra.report_html import render_html
from bridgework.infra.runtime import open_runtime
from bridgework.infra.settings import Settings
from bridgework.projections.impact import impact_report
from bridgework.services.enrolment import CompleteEnrollment, complete_enrollment
from support.auth import TEST_KEYS
from support.context import staff
from support.scenario import TODAY, a_program, demographics, enrol, students
from support.serve import cli, environment

PERIOD = (TODAY - timedelta(days=1), TODAY + timedelta(days=30))


def numbers(view) -> dict:
    return msgspec.to_builtins(view)


@pytest.fixture
async def runtime(database_url):
    keks = (process_keks().current.encoded(),)
    settings = Settings(database_url=database_url, data_dir=TEST_KEYS, kek=keks)
    async with open_runtime(settings) as running:
        yield running


async def a_year(runtime):
    """Seven students in a program, six reporting a gender (five of one), two completing;
    the live report captured, then more students enrol and complete."""
    deps = runtime.deps
    program, _, partnership = await a_program(deps, capacity=20)
    kids = await students(deps, 7)
    for kid in kids:
        await enrol(deps, program, kid)
    for i, kid in enumerate(kids[:6]):
        await demographics(deps, kid, gender="female" if i < 5 else "male")
    cmd = CompleteEnrollment(program_id=program, student_id=kids[0])
    position = (await complete_enrollment(deps, staff(), cmd)).position
    await runtime.runner.catch_up()
    async with runtime.pool.acquire() as conn:
        then = await impact_report(conn, partnership, *PERIOD)
    for kid in await students(deps, 3):
        await enrol(deps, program, kid)
    await complete_enrollment(
        deps, staff(), CompleteEnrollment(program_id=program, student_id=kids[1])
    )
    await runtime.runner.catch_up()
    return partnership, position, then


async def test_the_report_as_of_a_position_is_what_the_live_report_showed_then(runtime):
    partnership, position, then = await a_year(runtime)
    document = await report_document(runtime, partnership, *PERIOD, position=position)
    events = await runtime.pool.fetchval(
        "SELECT count(*) FROM events WHERE position <= $1", position
    )
    assert document["asOf"] == {"position": position, "events": events}
    assert document["signature"] is None  # no signer given
    totals = document["report"]["totals"]
    assert (
        (totals["students"], totals["seats"], totals["completions"])
        == (
            then.totals.students,
            then.totals.seats,
            then.totals.completions,
        )
        == (7, 7, 1)
    )
    _, gender = document["report"]["breakdowns"]
    assert [(g["label"], g["suppressed"]) for g in gender["groups"]] == [
        ("female", False),
        ("male", True),
        ("not reported", True),
    ]
    assert [g["numbers"] for g in gender["groups"]][1:] == [None, None]
    assert [g.label for g in then.breakdowns[1].groups] == ["female", "male", "not reported"]
    live = await report_document(runtime, partnership, *PERIOD)
    assert live["report"]["totals"]["students"] == 10
    assert live["asOf"]["position"] > position
    assert json.loads(signed_bytes(document)) == {
        k: v for k, v in document.items() if k != "signature"
    }


async def test_the_html_page_is_self_contained_and_keeps_suppression(runtime):
    partnership, position, _ = await a_year(runtime)
    document = await report_document(runtime, partnership, *PERIOD, position=position)
    document["partnership"]["name"] = "<script>alert(1)</script> & Co"
    page = render_html(document)
    assert page.count("<svg") == 2  # one chart per breakdown
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    for fetched in ("src=", "href=", "@import", "<link"):
        assert fetched not in page
    assert page.count("suppressed (too few students to show)") == 2
    assert f"as of log position {position}" in page


async def test_a_bad_position_or_unknown_partnership_is_refused_naming_the_option(runtime):
    partnership, _, _ = await a_year(runtime)
    with pytest.raises(ReportRefused, match=r"^--position: "):
        await report_document(runtime, partnership, *PERIOD, position=10**9)
    with pytest.raises(ReportRefused, match=r"^--at: "):
        await report_document(runtime, partnership, *PERIOD, at="yesterday")
    with pytest.raises(ReportRefused, match=r"^--partnership: "):
        await report_document(runtime, runtime.deps.new_id(), *PERIOD)


@pytest.mark.slow
async def test_bridgework_report_writes_the_json_and_the_html(runtime, database_url, tmp_path):
    partnership, position, _ = await a_year(runtime)
    env = environment(
        DATABASE_URL=database_url,
        BRIDGEWORK_DATA_DIR=str(tmp_path),
        BRIDGEWORK_KEK=process_keks().current.encoded(),
    )
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"
    period = ["--from", PERIOD[0].isoformat(), "--to", PERIOD[1].isoformat()]
    files = ["--json", str(out_json), "--html", str(out_html)]
    asked = ["--partnership", str(partnership), *period, "--position", str(position), *files]
    done = cli("report", *asked, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(out_json.read_text())["report"]["totals"]["students"] == 7
    assert "<svg" in out_html.read_text()
    refused = cli("report", "--partnership", str(partnership), *period, "--position", "-1", env=env)
    assert refused.returncode == 1
    assert "--position: " in refused.stderr


async def test_a_signed_report_names_the_checkpoint_covering_it_and_its_note_verifies(runtime):
    partnership, position, _ = await a_year(runtime)
    assert await Publisher(runtime.pool, runtime.signer, 10).publish() is not None
    signer = runtime.signer
    document = await report_document(
        runtime, partnership, *PERIOD, position=position, signer=signer
    )
    assert document["checkpoint"] is not None
    assert document["checkpoint"].startswith(f"{signer.name}\n")
    body = verified_body(document["signature"], signer.verifier)
    assert body == report_body(signer.name, document)
    assert body.splitlines()[1] == f"impact-report {position} {document['asOf']['events']}"
    document["report"]["totals"]["students"] += 1  # an altered number no longer matches
    assert report_body(signer.name, document) != body
