"""`bridgework demo` loads a realistic story through the real handlers, once."""

from __future__ import annotations

import itertools
import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from bridgework.infra.demo import load_demo
from bridgework.infra.transcoding import Transcoder
from bridgework.services.unit_of_work import Deps
from support.context import SECRET_KEY
from support.scenario import runner_for
from support.views import view_digests

if TYPE_CHECKING:
    from bridgework.infra.store import PostgresEventStore


async def test_the_demo_loads_through_the_handlers_and_a_second_run_changes_nothing(deps, pool):
    head = await load_demo(deps)
    counts = dict(await pool.fetch("SELECT event_type, count(*) FROM events GROUP BY event_type"))
    assert head == await pool.fetchval("SELECT max(position) FROM events")
    assert counts["OrganisationRegistered"] == 13
    assert counts["ProgramLaunched"] == 7
    assert counts["ApplicationReceived"] == 6
    assert (counts["ApplicationAccepted"], counts["ApplicationDenied"]) == (3, 1)
    assert counts["ApplicationRefused"] == 1
    assert (counts["HoursSubmitted"], counts["HoursVerified"], counts["HoursDeclined"]) == (7, 5, 1)
    assert counts["HoursApproved"] == 4
    assert counts["MentorMatchProposed"] == 2
    assert counts["DemographicsReported"] == 24
    assert counts["StudentWaitlisted"] >= 5
    assert counts["StudentPromotedFromWaitlist"] == 6  # a withdrawal and five completions
    assert counts["ShowcaseRecorded"] == 5
    assert counts["EnrolmentCompleted"] == 18
    assert counts["MentorAssigned"] == 16  # one a confirmed proposal

    assert await load_demo(deps) == head
    assert await pool.fetchval("SELECT count(*) FROM events") == sum(counts.values())


# The demo's views, recorded: every refactoring must leave them exactly as they are.

RECORDED = Path(__file__).with_name("demo_views.json")
TODAY = date(2026, 9, 14)


def deterministic_deps(store: PostgresEventStore) -> Deps:
    """Ids from a counter and a clock that ticks a second per call, so two loads of the demo
    write the same log and so the same views."""
    ids = itertools.count(1)
    ticks = itertools.count()
    start = datetime(2026, 9, 14, 8, 0, tzinfo=UTC)
    return Deps(
        store=store,
        codec=Transcoder(),
        clock=lambda: start + timedelta(seconds=next(ticks)),
        new_id=lambda: UUID(int=next(ids)),
        secret_key=SECRET_KEY,
    )


async def test_the_demo_views_are_the_recorded_ones(store, pool):
    deps = deterministic_deps(store)
    await load_demo(deps, today=TODAY)
    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()
    digests = await view_digests(pool)
    if os.environ.get("BRIDGEWORK_RECORD_DEMO_VIEWS"):
        RECORDED.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n")
    assert digests == json.loads(RECORDED.read_text())
