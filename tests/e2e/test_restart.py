"""Stopping `serve` and starting it again on the same data dir loses, changes and replays
nothing: the log and the views read the same, and a subscriber resumes where it left off."""

from __future__ import annotations

import pytest
from support.api import ENROL, ORG
from support.serve import Follower, Serve, launch_program, read_log, register_adults, run

WITHDRAW = """mutation($input: WithdrawStudentInput!) { withdrawStudent(input: $input) {
  __typename ... on StudentWithdrawn { position } } }"""
VIEWS = """query($id: ID!, $atLeast: Int) { program(id: $id, atLeast: $atLeast) {
  id name kind capacity startsOn endsOn launchedAt
  partnership { id name formedAt status organizations { id name kind } }
  enrollment { capacity enrolled waitlisted withdrawn completed applied seatsLeft
    entries { status waitlistPlace changedAt reason student { id name grade } } }
  outcome { showcasesHeld studentsPresented completions completionRate mentorsAssigned }
} }"""


async def fill(http, program: str, students: list[str]) -> int:
    """Enrol every student (the last ones wait in line), then withdraw the first, whose seat
    goes to the first in line; return the last position written."""
    for student in students:
        answer = await run(http, ENROL, input={"programId": program, "studentId": student})
        assert answer["enrollStudent"]["__typename"] == "StudentEnrolled", answer
    withdrawn = await run(
        http, WITHDRAW, input={"programId": program, "studentId": students[0], "reason": "Moved"}
    )
    return withdrawn["withdrawStudent"]["position"]


@pytest.mark.slow
async def test_a_restart_keeps_the_log_and_views_and_a_resumed_subscriber_gets_only_new_events(
    data_dir,
):
    with Serve(data_dir) as first:
        async with first.http() as http:
            program = await launch_program(http, "Restart", capacity=2)
            students = await register_adults(http, "Stayer", 4)
            last = await fill(http, program, students)
            log_before = await read_log(http)
            views_before = await run(http, VIEWS, id=program, atLeast=last)
        first.stop()

    enrolment = views_before["program"]["enrollment"]
    statuses = [(e["student"]["id"], e["status"], e["waitlistPlace"]) for e in enrolment["entries"]]
    assert statuses == [
        (students[1], "ENROLLED", None),
        (students[2], "ENROLLED", None),
        (students[3], "WAITLISTED", 1),
        (students[0], "WITHDRAWN", None),
    ]
    assert log_before[-1]["position"] == last

    with Serve(data_dir) as second:
        async with (
            second.http() as http,
            second.websocket() as ws,
            Follower(ws, after=log_before[-1]["cursor"]) as resumed,
        ):
            # No `atLeast`: the views are there at once, not rebuilt or waited for.
            assert await run(http, VIEWS, id=program) == views_before
            assert await read_log(http) == log_before

            new = [
                (await run(http, ORG, name=f"After restart {i}", kind="NONPROFIT"))
                for i in range(3)
            ]
            received = await resumed.until(3)
            assert [e["position"] for e in received] == [
                n["registerOrganization"]["position"] for n in new
            ]
            assert [e["payload"]["name"] for e in received] == [
                f"After restart {i}" for i in range(3)
            ]
            assert await read_log(http, after=log_before[-1]["cursor"]) == received
