"""Seeking a named consumer of `GET /feed` (to the start, after a position, to a time), and
every bad input to the consumer routes: each a 400 (404 for a consumer the caller does not
have) naming the field, changing nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from support.feed import ack, ids, listed, post, read, school_log

GOOD_CURSOR = "ZXZlbnQ6MDow"


@pytest.fixture
def log(api):
    return school_log(api)


def seek(api, who, name, body):
    response = post(api, who, name, "seek", body)
    assert response.status_code == 200, response.text
    return response.json()


def test_seeking_a_position_resumes_after_that_event(api, log):
    sis, events = log["key"], log["events"]
    sought = seek(api, sis, "sis", {"position": events[1]["position"]})  # a first use too
    assert sought["position"] == events[1]["position"]
    rest, cursor = read(api, sis, "sis")
    assert ids(rest) == [e["eventId"] for e in events[2:]]
    ack(api, sis, "sis", cursor)
    assert seek(api, sis, "sis", {"position": 0})["cursor"] == GOOD_CURSOR  # back: allowed
    everything, _ = read(api, sis, "sis")
    assert ids(everything) == [e["eventId"] for e in events]
    assert listed(api, sis)["sis"]["lag"] == len(events)


def test_seeking_a_time_resumes_with_the_events_recorded_after_it(api, log):
    sis, events = log["key"], log["events"]
    at = events[1]["recordedAt"]
    sought = seek(api, sis, "sis", {"time": at})
    assert sought["position"] == events[1]["position"]
    rest, _ = read(api, sis, "sis")
    assert ids(rest) == [e["eventId"] for e in events[2:]]
    before = datetime.fromisoformat(events[0]["recordedAt"]) - timedelta(days=1)
    assert seek(api, sis, "sis", {"time": before.isoformat()})["position"] == 0
    after = datetime.fromisoformat(events[-1]["recordedAt"]) + timedelta(days=1)
    assert seek(api, sis, "sis", {"time": after.isoformat()})["position"] == events[-1]["position"]
    assert read(api, sis, "sis")[0] == []
    zulu = seek(api, sis, "sis", {"time": "2000-01-01T00:00:00Z"})
    assert zulu["position"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "position"),
        ({"position": 1, "time": "2026-01-01T00:00:00Z"}, "position"),
        ({"position": -1}, "position"),
        ({"position": 2**63}, "position"),
        ({"position": "3"}, "position"),
        ({"position": True}, "position"),
        ({"position": 1.5}, "position"),
        ({"position": 10**6}, "position"),  # beyond the head of the log
        ({"time": "yesterday"}, "time"),
        ({"time": "2026-01-01T00:00:00"}, "time"),  # no offset
        ({"time": 1700000000}, "time"),
        ({"time": "2026-01-01T00:00:00Z" + " " * 100}, "time"),
        ({"time": "2026-01-01T00:00:00\x00Z"}, "time"),
        ({"cursor": GOOD_CURSOR}, "cursor"),  # not a field of a seek
    ],
)
def test_a_bad_seek_is_a_400_naming_the_field(api, log, body, field):
    sis = log["key"]
    _, cursor = read(api, sis, "sis", limit="2")
    ack(api, sis, "sis", cursor)
    response = post(api, sis, "sis", "seek", body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["parameter"] == field
    assert response.json()["error"]["message"]
    assert listed(api, sis)["sis"]["cursor"] == cursor  # unchanged


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "cursor"),
        ({"cursor": None}, "cursor"),
        ({"cursor": 42}, "cursor"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "cGFnZToxOjI="}, "cursor"),  # a cursor of another kind
        ({"cursor": "ZXZlbnQ6OTk5OTk5OTk5OTk5OTk5OTk5OTk6MQ=="}, "cursor"),  # past any bigint
        ({"cursor": "ZXZlbnQ6MToy"}, "cursor"),  # event:1:2, no such event
        ({"cursor": GOOD_CURSOR, "extra": 1}, "extra"),
        ([GOOD_CURSOR], "body"),
        ("x" * 2000, "body"),
    ],
)
def test_a_bad_ack_is_a_400_naming_the_field(api, log, body, field):
    sis = log["key"]
    _, cursor = read(api, sis, "sis", limit="4")
    response = post(api, sis, "sis", "ack", body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["parameter"] == field
    assert listed(api, sis)["sis"]["ackedAt"] is None
    assert ack(api, sis, "sis", cursor)["moved"]  # the good one still works


def test_a_body_that_is_not_json_is_a_400(api, log):
    sis = log["key"]
    read(api, sis, "sis")
    for action in ("ack", "seek"):
        response = api.client.post(
            f"/feed/consumers/sis/{action}", content=b"{nope", headers={"authorization": sis}
        )
        assert response.status_code == 400
        assert response.json()["error"]["parameter"] == "body"


@pytest.mark.parametrize(
    "name", ["", "-sis", ".hidden", "has space", "ünï", "a" * 65, "tab\there", "semi;colon"]
)
def test_a_bad_consumer_name_is_a_400_naming_it(api, log, name):
    sis = log["key"]
    response = api.client.get("/feed", params={"consumer": name}, headers={"authorization": sis})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["parameter"] == "consumer"
    if name:  # an empty path segment is another route
        for action in ("ack", "seek"):
            refused = post(api, sis, name, action, {"cursor": GOOD_CURSOR})
            assert refused.status_code == 400, (action, refused.text)
            assert refused.json()["error"]["parameter"] == "name"
    assert listed(api, sis) == {}


def test_a_consumer_and_an_after_together_are_a_400(api, log):
    sis = log["key"]
    response = api.client.get(
        "/feed", params={"consumer": "sis", "after": GOOD_CURSOR}, headers={"authorization": sis}
    )
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "after"
    assert listed(api, sis) == {}


def test_acking_or_seeking_a_consumer_the_caller_does_not_have_is_a_404(api, log):
    sis = log["key"]
    refused = post(api, sis, "nobody", "ack", {"cursor": GOOD_CURSOR})
    assert refused.status_code == 404
    assert refused.json()["error"]["parameter"] == "name"
