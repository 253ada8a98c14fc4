"""Fifty students enrolling at the same moment over real HTTP connections into ten seats: the
seats, the waitlist, the view and the log all agree, and nobody is lost or counted twice."""

from __future__ import annotations

import asyncio
import re
from collections import Counter

import pytest
from support.api import ENROL
from support.serve import Serve, launch_program, read_log, register_adults, run

SEATS = 10
STUDENTS = 50
IN_LINE = list(range(1, STUDENTS - SEATS + 1))

VIEW = """query($id: ID!, $atLeast: Int!) { program(id: $id, atLeast: $atLeast) {
  enrollment { capacity enrolled waitlisted seatsLeft
    entries { status waitlistPlace student { id } } } } }"""
PLACE = re.compile(r" is (\d+)(?:st|nd|rd|th) on the waitlist$")
"""How the coordinator's message for a waitlisted student ends ("… is 3rd on the waitlist")."""


async def enrol_all(server: Serve, program: str, students: list[str]) -> list[dict]:
    """Every enrolment on a connection of its own, all sent at once."""

    async def enrol(student: str) -> dict:
        async with server.http() as session:
            variables = {"programId": program, "studentId": student}
            return (await run(session, ENROL, input=variables))["enrollStudent"]

    return await asyncio.gather(*(enrol(s) for s in students))


@pytest.mark.slow
async def test_fifty_concurrent_enrolments_into_ten_seats_seat_ten_and_line_up_forty(server, http):
    program = await launch_program(http, "Race", capacity=SEATS)
    students = await register_adults(http, "Racer", STUDENTS)
    answers = dict(zip(students, await enrol_all(server, program, students), strict=True))

    assert {a["__typename"] for a in answers.values()} == {"StudentEnrolled"}, answers
    assert Counter(a["status"] for a in answers.values()) == {
        "ENROLLED": SEATS,
        "WAITLISTED": STUDENTS - SEATS,
    }
    places = {}
    for student, answer in answers.items():
        found = PLACE.search(answer["message"])
        assert (found is None) == (answer["status"] == "ENROLLED"), answer
        if found:
            places[student] = int(found[1])
    assert sorted(places.values()) == IN_LINE

    newest = max(a["position"] for a in answers.values())
    view = (await run(http, VIEW, id=program, atLeast=newest))["program"]["enrollment"]
    counts = view["capacity"], view["enrolled"], view["waitlisted"], view["seatsLeft"]
    assert counts == (SEATS, SEATS, STUDENTS - SEATS, 0)
    shown = {e["student"]["id"]: (e["status"], e["waitlistPlace"]) for e in view["entries"]}
    assert shown == {s: (a["status"], places.get(s)) for s, a in answers.items()}

    types = ["StudentEnrolled", "StudentWaitlisted"]
    log = await read_log(http, streamId=f"program-{program}", types=types)
    assert len(log) == STUDENTS
    by_position = {a["position"]: s for s, a in answers.items()}
    assert sorted(by_position) == sorted(e["position"] for e in log)
    for event in log:
        student = by_position[event["position"]]
        assert event["payload"]["student_id"] == student
        waitlisted = answers[student]["status"] == "WAITLISTED"
        assert event["type"] == ("StudentWaitlisted" if waitlisted else "StudentEnrolled")
    # The line is the order in which the log recorded the waitlisting.
    line = [by_position[e["position"]] for e in log if e["type"] == "StudentWaitlisted"]
    assert [places[s] for s in line] == IN_LINE
