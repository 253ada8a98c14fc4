"""Named consumers of `GET /feed`: the server keeps each one's cursor, so a consumer reads
after what it acknowledged; an ack moves it only forward and only to a cursor the feed handed
it; a seek moves it anywhere; consumers are private to their owner, listed with their lag,
and one that never acks holds nobody back."""

from __future__ import annotations

import pytest
from bridgework.infra import feed_consumers
from bridgework.services.identity import Role
from support.api import STUDENT_AT, org
from support.feed import ack, ids, key, listed, post, read, school_log


@pytest.fixture
def log(api):
    return school_log(api)


def test_a_consumer_resumes_after_what_it_acknowledged(api, log):
    sis, expected = log["key"], [e["eventId"] for e in log["events"]]
    first, cursor = read(api, sis, "sis", limit="2")
    assert ids(first) == expected[:2]
    again, same = read(api, sis, "sis", limit="2")  # not acknowledged: handed out again
    assert (ids(again), same) == (ids(first), cursor)
    assert ack(api, sis, "sis", cursor) == {
        "name": "sis",
        "cursor": cursor,
        "position": log["events"][1]["position"],
        "moved": True,
    }
    rest, end = read(api, sis, "sis", limit="10")
    assert ids(rest) == expected[2:]
    assert ack(api, sis, "sis", end)["moved"]
    assert read(api, sis, "sis") == ([], end)


def test_an_ack_only_moves_forward_to_a_cursor_the_consumer_was_given(api, log):
    sis = log["key"]
    _, first = read(api, sis, "sis", limit="1")
    _, second = read(api, sis, "sis", limit="2")
    assert ack(api, sis, "sis", first)["moved"]
    assert not ack(api, sis, "sis", first)["moved"]  # a replayed ack changes nothing
    _, beyond = read(api, sis, "other", limit="4")  # a real cursor, never given to "sis"
    refused = post(api, sis, "sis", "ack", {"cursor": beyond})
    assert refused.status_code == 400
    assert refused.json()["error"]["parameter"] == "cursor"
    assert ack(api, sis, "sis", second)["moved"]
    back = post(api, sis, "sis", "ack", {"cursor": first})
    assert back.status_code == 400
    assert "behind" in back.json()["error"]["message"]
    assert listed(api, sis)["sis"]["cursor"] == second


def test_consumers_are_private_to_their_owner(api, log):
    sis, other = log["key"], key(api, log["a"])
    _, cursor = read(api, sis, "sis", limit="2")
    assert listed(api, other) == {}
    refused = post(api, other, "sis", "ack", {"cursor": cursor})
    assert refused.status_code == 404
    assert refused.json()["error"]["parameter"] == "name"
    gone = api.client.delete("/feed/consumers/sis", headers={"authorization": other})
    assert gone.status_code == 404
    assert ack(api, sis, "sis", cursor)["moved"]  # still there, untouched
    theirs, _ = read(api, other, "sis", limit="1")  # the same name: their own, from the start
    assert ids(theirs) == [log["events"][0]["eventId"]]


def test_the_list_shows_each_consumers_cursor_lag_and_last_ack(api, log):
    sis = log["key"]
    _, cursor = read(api, sis, "warehouse", limit="1")
    read(api, sis, "hr")
    assert ack(api, sis, "warehouse", cursor)["moved"]
    found = listed(api, sis)
    assert sorted(found) == ["hr", "warehouse"]
    assert found["hr"] | {"createdAt": None} == {
        "name": "hr",
        "cursor": "ZXZlbnQ6MDow",  # the start of the log: nothing acknowledged
        "position": 0,
        "lag": 4,
        "ackedAt": None,
        "createdAt": None,
    }
    warehouse = found["warehouse"]
    assert (warehouse["cursor"], warehouse["lag"]) == (cursor, 3)
    assert warehouse["position"] == log["events"][0]["position"]
    assert warehouse["ackedAt"] is not None


def test_the_lag_counts_only_events_the_owner_may_see(api, log):
    elsewhere = org(api, "C")["id"]
    api.data(STUDENT_AT, {"name": "Dee", "school": elsewhere})
    sis = log["key"]
    read(api, sis, "sis")
    assert listed(api, sis)["sis"]["lag"] == 4
    auditor = api.tokens.bearer(Role.AUDITOR)
    read(api, auditor, "audit")
    assert listed(api, auditor)["audit"]["lag"] == 6


def test_a_consumer_that_never_acks_holds_nobody_back(api, log):
    sis, hr = log["key"], key(api, log["a"])
    read(api, sis, "stuck", limit="1")  # never acknowledged
    _, cursor = read(api, hr, "hr", limit="100")
    ack(api, hr, "hr", cursor)
    api.data(STUDENT_AT, {"name": "Eve", "school": log["a"]})
    new, cursor = read(api, hr, "hr")
    assert [e["data"]["name"] for e in new] == [None]  # the new student only; not granted
    assert ack(api, hr, "hr", cursor)["moved"]
    assert listed(api, hr)["hr"]["lag"] == 0
    assert listed(api, sis)["stuck"]["lag"] == 5
    stuck, _ = read(api, sis, "stuck", limit="1")
    assert ids(stuck) == [log["events"][0]["eventId"]]


def test_a_deleted_consumer_is_gone_and_starts_again_if_named_again(api, log):
    sis = log["key"]
    _, cursor = read(api, sis, "sis", limit="3")
    ack(api, sis, "sis", cursor)
    deleted = api.client.delete("/feed/consumers/sis", headers={"authorization": sis})
    assert deleted.status_code == 200
    assert deleted.json() == {"name": "sis", "deleted": True}
    assert listed(api, sis) == {}
    again = api.client.delete("/feed/consumers/sis", headers={"authorization": sis})
    assert again.status_code == 404
    assert again.json()["error"]["parameter"] == "name"
    first, _ = read(api, sis, "sis", limit="1")
    assert ids(first) == [log["events"][0]["eventId"]]


def test_a_caller_has_a_bounded_number_of_consumers(api, log, monkeypatch):
    monkeypatch.setattr(feed_consumers, "MAX_CONSUMERS", 2)
    sis = log["key"]
    read(api, sis, "one")
    read(api, sis, "two")
    refused = api.client.get("/feed", params={"consumer": "three"}, headers={"authorization": sis})
    assert refused.status_code == 400
    assert refused.json()["error"]["parameter"] == "consumer"
    assert sorted(listed(api, sis)) == ["one", "two"]
    read(api, sis, "one")  # those it has still read


def test_consumer_routes_refuse_a_caller_without_a_verified_identity(api, log):
    for method, path in (
        ("GET", "/feed/consumers"),
        ("POST", "/feed/consumers/sis/ack"),
        ("POST", "/feed/consumers/sis/seek"),
        ("DELETE", "/feed/consumers/sis"),
    ):
        response = api.client.request(method, path, json={}, headers={"authorization": "x"})
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"] == "Bearer"
