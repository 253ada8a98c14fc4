"""`bridgework parked` over a real data folder, as an operator runs it."""

from __future__ import annotations

import asyncio
import atexit
import uuid

import pytest
from bridgework.infra.database import create_pool, embedded_database_url, embedded_server
from bridgework.infra.migrate import migrate
from bridgework.infra.store import PostgresEventStore
from bridgework.infra.transcoding import Transcoder
from bridgework.services.unit_of_work import Deps
from support.context import SECRET_KEY
from support.poison import (
    ATTEMPTS,
    NOW,
    a_program_named,
    append_bypassing_validation,
    quick_runner,
)
from support.postgres import own_folder
from support.scenario import a_program
from support.serve import cli


@pytest.mark.slow
async def test_bridgework_parked_lists_skips_and_retries_on_the_command_line():
    with own_folder() as folder:
        data_dir = folder / "data"
        url = await asyncio.to_thread(embedded_database_url, data_dir)
        try:
            await the_command_line_on(data_dir, url)
        finally:
            server = embedded_server(data_dir)
            await asyncio.to_thread(server.cleanup)
            # pgserver would log its clean-up again at exit, into a stream pytest has closed.
            atexit.unregister(server._cleanup)


async def the_command_line_on(data_dir, url) -> None:
    pool = await create_pool(url, 1, 4)
    try:
        await migrate(pool)
        store = PostgresEventStore(pool)
        deps = Deps(
            store=store,
            codec=Transcoder(),
            clock=lambda: NOW,
            new_id=uuid.uuid4,
            secret_key=SECRET_KEY,
        )
        _, _, partnership = await a_program(deps, capacity=1)
        poison = await append_bypassing_validation(deps, a_program_named("Nul\x00l", partnership))
        runner = quick_runner(pool, deps)
        await runner.setup()
        await runner.catch_up(park=True)
    finally:
        await pool.close()

    async def bridgework(*args: str):
        return await asyncio.to_thread(cli, "parked", *args)

    listed = await bridgework("--data-dir", str(data_dir))
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split() == ["PROJECTION", "POSITION", "TYPE", "ATTEMPTS", "PARKED", "AT", "ERROR"]
    assert [r.split()[:4] for r in rows] == [
        ["directory", str(poison), "ProgramLaunched", str(ATTEMPTS)],
        ["timeline", str(poison), "ProgramLaunched", str(ATTEMPTS)],
    ]
    assert all("CharacterNotInRepertoireError: invalid byte sequence" in r for r in rows)

    skipped = await bridgework("skip", "directory", str(poison), "--data-dir", str(data_dir))
    assert skipped.returncode == 0, skipped.stderr
    assert f"skipped event {poison} for directory" in skipped.stdout
    retried = await bridgework("--data-dir", str(data_dir), "retry", "timeline", str(poison))
    assert retried.returncode == 1
    assert retried.stderr.splitlines()[-1].startswith(
        f"bridgework parked: the event at position {poison} (ProgramLaunched) still fails for"
        " projection 'timeline': CharacterNotInRepertoireError"
    )
    for args, message in (
        (["skip", "nonsense", "1"], "unknown projection 'nonsense'; known: directory, "),
        (["retry", "timeline", "999"], "no event at position 999 is parked for projection 'tim"),
    ):
        refused = await bridgework(*args, "--data-dir", str(data_dir))
        assert refused.returncode == 1
        assert refused.stderr.splitlines()[-1].startswith(f"bridgework parked: {message}")

    left = await bridgework("--data-dir", str(data_dir))
    [row] = left.stdout.splitlines()[1:]
    assert row.split()[:4] == ["timeline", str(poison), "ProgramLaunched", str(ATTEMPTS + 1)]


def test_bridgework_parked_help_describes_listing_retrying_and_skipping():
    parked = cli("parked", "--help")
    assert parked.returncode == 0
    assert "list the open parked events" in parked.stdout
    for action, says in (("retry", "apply the parked event"), ("skip", "without applying it")):
        assert action in parked.stdout
        assert says in parked.stdout
    retry = cli("parked", "retry", "--help")
    assert retry.returncode == 0
    for part in ("NAME", "POSITION", "--data-dir", "it stays parked if it fails"):
        assert part in retry.stdout
