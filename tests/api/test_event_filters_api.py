"""The `events` query's filters: who caused an event (`actor`), the user action it belongs to
(`correlationId`) and when it was recorded (`from` inclusive, `to` exclusive). Each is
checked against the whole log filtered here; bad values are refused naming the argument; a
filter never widens the caller's scope nor lifts redaction."""

from __future__ import annotations

from datetime import datetime

import pytest
from bridgework.services.identity import Role
from support.api import STUDENT_AT, org

EVENTS = """query($actor: String, $correlationId: ID, $from: DateTime, $to: DateTime) {
  events(first: 1000, actor: $actor, correlationId: $correlationId, from: $from, to: $to) {
  edges { node { position streamId type payload redacted recordedAt
  metadata { actor correlationId } } } } }"""


def nodes(api, who=None, **filters):
    body = api.post(EVENTS, filters, authorization=who or api.staff)
    assert "errors" not in body, body["errors"]
    return [e["node"] for e in body["data"]["events"]["edges"]]


def positions(found):
    return [n["position"] for n in found]


@pytest.fixture
def log(api):
    """School A with a student registered by the deployment's staff and one by A's
    coordinator; school C with one registered by its own coordinator."""
    a, c = org(api, "A", "SCHOOL")["id"], org(api, "C", "SCHOOL")["id"]
    of_a = api.tokens.bearer(Role.COORDINATOR, organisations=frozenset({a}), subject="coord-a")
    of_c = api.tokens.bearer(Role.COORDINATOR, organisations=frozenset({c}), subject="coord-c")
    ids = {}
    for name, school, who in (
        ("Ana Quill", a, api.staff),
        ("Bo Lind", a, of_a),
        ("Cai Rowan", c, of_c),
    ):
        done = api.data(STUDENT_AT, {"name": name, "school": school}, authorization=who)
        ids[name] = done["registerStudent"]["id"]
    return {"of_a": of_a, "of_c": of_c, "ids": ids, "all": nodes(api)}


def test_actor_gives_only_the_events_that_person_caused(api, log):
    bo = next(n for n in log["all"] if n["streamId"] == f"student-{log['ids']['Bo Lind']}")
    actor = bo["metadata"]["actor"]
    assert actor.endswith(":coord-a"), actor
    found = nodes(api, actor=actor)
    assert positions(found) == [
        n["position"] for n in log["all"] if n["metadata"]["actor"] == actor
    ]
    assert [n["streamId"] for n in found] == [bo["streamId"]]
    assert nodes(api, actor="coordinator:nobody") == []


def test_correlation_id_gives_everything_one_user_action_caused(api, log):
    ana = next(n for n in log["all"] if n["streamId"] == f"student-{log['ids']['Ana Quill']}")
    correlation = ana["metadata"]["correlationId"]
    found = nodes(api, correlationId=correlation)
    same = [n for n in log["all"] if n["metadata"]["correlationId"] == correlation]
    assert positions(found) == positions(same)
    assert ana["position"] in positions(found)
    assert nodes(api, correlationId="00000000-0000-4000-8000-000000000000") == []
    assert positions(nodes(api, correlationId=correlation.upper())) == positions(same)


def test_from_and_to_bound_the_time_each_event_was_recorded(api, log):
    everything = log["all"]
    assert len(everything) >= 4
    middle, last = everything[len(everything) // 2]["recordedAt"], everything[-1]["recordedAt"]

    def recorded(keep):
        return [n["position"] for n in everything if keep(datetime.fromisoformat(n["recordedAt"]))]

    pivot, end = datetime.fromisoformat(middle), datetime.fromisoformat(last)
    later = positions(nodes(api, **{"from": middle}))
    assert later == recorded(lambda t: t >= pivot)
    earlier = positions(nodes(api, to=middle))
    assert earlier == recorded(lambda t: t < pivot)
    assert sorted(later + earlier) == sorted(positions(everything))
    window = positions(nodes(api, **{"from": middle, "to": last}))
    assert window == recorded(lambda t: pivot <= t < end)
    assert nodes(api, **{"from": "2000-01-01T00:00:00Z", "to": "2000-01-02T00:00:00+02:00"}) == []


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"actor": ""}, "actor"),
        ({"actor": "x" * 201}, "actor"),
        ({"correlationId": "not-an-id"}, "correlationId"),
        ({"from": "2026-09-01T00:00:00"}, "from"),
        ({"to": "2026-09-01T00:00:00"}, "to"),
        ({"from": "2026-09-02T00:00:00Z", "to": "2026-09-01T00:00:00Z"}, "to"),
        ({"from": "2026-09-01T00:00:00Z", "to": "2026-09-01T00:00:00Z"}, "to"),
    ],
)
def test_a_bad_filter_is_refused_naming_its_argument(api, variables, argument):
    body = api.post(EVENTS, variables)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["message"].startswith(f"{argument}: "), error


def test_a_time_that_is_no_time_is_refused_naming_the_argument(api):
    body = api.post(EVENTS, {"from": "yesterday"})
    [error] = body["errors"]
    assert "$from" in error["message"], error
    inline = api.post('{ events(to: "soon") { edges { cursor } } }')
    assert "DateTime" in inline["errors"][0]["message"], inline


def test_filters_keep_the_callers_scope_and_redaction(api, log):
    of_a, of_c = log["of_a"], log["of_c"]
    cai = next(n for n in log["all"] if n["streamId"] == f"student-{log['ids']['Cai Rowan']}")
    theirs = {"actor": cai["metadata"]["actor"]}
    assert nodes(api, of_a, **theirs) == []  # C's coordinator's events are not A's to read
    assert [n["streamId"] for n in nodes(api, of_c, **theirs)] == [cai["streamId"]]
    action = {"correlationId": cai["metadata"]["correlationId"]}
    assert nodes(api, of_a, **action) == []
    assert nodes(api, of_a, **{"from": log["all"][0]["recordedAt"]}) == nodes(api, of_a)
    auditor = api.tokens.bearer(Role.AUDITOR)  # not granted personal data
    [seen] = [n for n in nodes(api, auditor, **action) if n["type"] == "StudentRegistered"]
    assert sorted(seen["redacted"]) == ["date_of_birth", "name"]
    assert seen["payload"]["name"] is None
    [granted] = [n for n in nodes(api, **action) if n["type"] == "StudentRegistered"]
    assert granted["payload"]["name"] == "Cai Rowan"
