"""A client that retries while its first request is still running: the same mutation with
one idempotency key sent 8 times at once over HTTP gets the same answer 8 times."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from support.api import ENROL, ORG, a_program, enrol, student

AT_ONCE = 8


def all_at_once(api, query, variables):
    with ThreadPoolExecutor(AT_ONCE) as pool:
        futures = [pool.submit(api.data, query, variables) for _ in range(AT_ONCE)]
        return [f.result() for f in futures]


@pytest.mark.parametrize("capacity", [2, 1])
def test_one_enrolment_sent_eight_times_at_once_is_one_answer(api, capacity):
    program, _, _ = a_program(api, capacity=capacity)
    ana, bo = student(api, "Ana Lima"), student(api, "Bo Chen")
    enrol(api, program, ana)
    before = api.event_count()
    answers = all_at_once(
        api,
        ENROL,
        {
            "input": {
                "programId": program,
                "studentId": bo,
                "idempotencyKey": f"enrol-bo-{capacity}",
            }
        },
    )
    assert answers == [answers[0]] * AT_ONCE
    enrolled = answers[0]["enrollStudent"]
    assert enrolled["__typename"] == "StudentEnrolled", enrolled
    assert enrolled["status"] == ("ENROLLED" if capacity == 2 else "WAITLISTED")
    assert api.event_count() == before + 1


def test_one_registration_sent_eight_times_at_once_registers_once(api):
    answers = all_at_once(api, ORG, {"name": "Lincoln", "kind": "SCHOOL", "key": "lincoln"})
    assert answers == [answers[0]] * AT_ONCE
    assert answers[0]["registerOrganization"]["__typename"] == "OrganizationRegistered"
    assert api.event_count() == 1
