"""`GET /feed?wait=`: with nothing for the caller past its cursor, the request waits on the
process's shared tail of the log until an event the caller may see arrives; events it may not
see do not end the wait, and the cursor it answers with skips them; a server beginning to shut
down ends every wait at once; a bad `wait` is a 400 naming it."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

import pytest
from bridgework.infra.feed import NEXT_CURSOR
from bridgework.services.identity import Role
from support.api import STUDENT_AT, org

REGISTERED = "bridgework.directory.StudentRegistered"
DEADLINE_SECONDS = 60
"""How long the test waits for the app to reach a state: a deadline, never a measure."""


def get(api, who, **params):
    return api.client.get("/feed", params=params, headers={"authorization": who})


def head(api, who, **params):
    """The cursor after everything `who` sees now."""
    after = None
    while True:
        response = get(api, who, limit="1000", **params, **({"after": after} if after else {}))
        assert response.status_code == 200, response.text
        if not response.json():
            return response.headers[NEXT_CURSOR]
        after = response.headers[NEXT_CURSOR]


def until(condition, what):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not {what} within {DEADLINE_SECONDS} s")
        time.sleep(0.01)


def tail(api):
    return api.client.app.state.api.live.stats


@pytest.fixture
def schools(api):
    return org(api, "A")["id"], org(api, "C")["id"]


@pytest.mark.parametrize("wait", ["-1", "31", "30.5", "ten", "1e1", "nan", "", " 1", "0.0001"])
def test_a_bad_wait_is_a_400_naming_it(api, schools, wait):
    response = get(api, api.staff, wait=wait)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["parameter"] == "wait"
    assert NEXT_CURSOR not in response.headers


def test_a_wait_with_events_already_there_answers_them_at_once(api, schools):
    response = get(api, api.staff, wait="30", limit="1")
    assert response.status_code == 200
    assert [e["type"] for e in response.json()] == ["bridgework.directory.OrganizationRegistered"]


def test_a_wait_that_ends_with_nothing_new_gives_the_same_cursor_again(api, schools):
    after = head(api, api.staff)
    response = get(api, api.staff, after=after, wait="0.2")
    assert response.status_code == 200
    assert response.json() == []
    assert response.headers[NEXT_CURSOR] == after


def test_a_long_poll_returns_the_event_a_mutation_commits(api, schools):
    a, _ = schools
    after = head(api, api.staff)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(get, api, api.staff, after=after, wait="30")
        until(lambda: tail(api).live >= 1, "waiting on the tail")
        api.data(STUDENT_AT, {"name": "Wen Wait", "school": a})
        response = waiting.result(DEADLINE_SECONDS)
    assert response.status_code == 200
    assert [e["type"] for e in response.json()] == [REGISTERED]
    assert response.headers[NEXT_CURSOR] != after
    assert tail(api).live == 0  # the waiter left the tail


def test_events_the_caller_may_not_see_do_not_end_its_wait(api, schools):
    a, c = schools
    of_a = api.tokens.bearer(Role.COORDINATOR, organisations=frozenset({UUID(a)}))
    after = head(api, of_a, types=REGISTERED)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(get, api, of_a, after=after, wait="30", types=REGISTERED)
        until(lambda: tail(api).live >= 1, "waiting on the tail")
        read = tail(api).events
        api.data(STUDENT_AT, {"name": "Cai Elsewhere", "school": c})
        until(lambda: tail(api).events > read, "the tail reading the other school's event")
        assert not waiting.done()
        api.data(STUDENT_AT, {"name": "Ana Here", "school": a})
        response = waiting.result(DEADLINE_SECONDS)
    found = response.json()
    assert [e["data"]["schoolId"] for e in found] == [a]


def test_a_shutdown_ends_a_wait_with_the_cursor_past_what_it_looked_at(api, schools):
    a, c = schools
    of_a = api.tokens.bearer(Role.COORDINATOR, organisations=frozenset({UUID(a)}))
    after = head(api, api.staff)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(get, api, of_a, after=after, wait="30")
        until(lambda: tail(api).live >= 1, "waiting on the tail")
        read = tail(api).events
        api.data(STUDENT_AT, {"name": "Cai Elsewhere", "school": c})
        until(lambda: tail(api).events > read, "the tail reading the other school's event")
        api.client.app.state.stopping.begin()
        response = waiting.result(DEADLINE_SECONDS)
    assert response.status_code == 200
    assert response.json() == []
    skipped = response.headers[NEXT_CURSOR]
    assert skipped != after  # past the event it may not see, which it will not read again
    assert get(api, api.staff, after=skipped).json() == []
    everything = get(api, api.staff, after=after).json()
    assert [e["data"]["schoolId"] for e in everything] == [c]
    again = get(api, of_a, after=after, wait="30")  # stopping: no more waiting
    assert again.json() == []
