"""`bridgework demo` loads a realistic story through the real handlers, once."""

from __future__ import annotations

from bridgework.infra.demo import load_demo


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
