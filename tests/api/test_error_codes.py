"""Every GraphQL error carries `extensions.code`; server faults reach the client only in our
own words with the request's correlation id, and reach the log once, with the traceback."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import pytest
from bridgework.graphql.cost import estimate
from bridgework.graphql.directory import programs as programs_api
from bridgework.graphql.schema import schema
from litestar.exceptions import WebSocketDisconnect
from support.api import ORG, PARTNERSHIP, PROGRAM, STUDENT_AT, org, program_input

from graphql import parse

PROGRAMS = "query($first: Int!) { programs(first: $first) { edges { node { name } } } }"
COSTLY = """query($first: Int!) { programs(first: $first) { edges { node {
  enrollment { entries { student { outcomes { evaluations { ratings { score } } } } } } } } } }"""
README = Path(__file__).parents[2] / "README.md"


def the_error(body):
    [error] = body["errors"]
    return error


def code(body):
    return the_error(body)["extensions"]["code"]


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        ("{ programs { edges { cursor } ", None, "GRAPHQL_PARSE_FAILED"),
        ("{ " + "a { " * 300 + "b" + " }" * 300 + " }", None, "GRAPHQL_PARSE_FAILED"),
        ("{ programs { nope } }", None, "GRAPHQL_VALIDATION_FAILED"),
        ('{ programs(first: "ten") { edges { cursor } } }', None, "GRAPHQL_VALIDATION_FAILED"),
        (
            "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "{ " + " ".join("__typename" for _ in range(3000)) + " }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (PROGRAMS, {"first": "ten"}, "BAD_USER_INPUT"),
        (PROGRAMS, {}, "BAD_USER_INPUT"),
        (PROGRAMS, {"first": 0}, "BAD_USER_INPUT"),
        ('{ student(id: "nope") { name } }', None, "BAD_USER_INPUT"),
        (COSTLY, {"first": 100}, "QUERY_TOO_COMPLEX"),
    ],
)
def test_each_kind_of_refusal_has_its_code(api, query, variables, expected):
    assert code(api.post(query, variables)) == expected


def test_a_bad_argument_names_its_field(api):
    error = the_error(api.post(PROGRAMS, {"first": 101}))
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    assert error["message"] == "first: must be between 1 and 100, got 101"


def test_the_cost_budget_counts_pages_and_nested_lists_before_anything_runs(api, monkeypatch):
    calls = []
    monkeypatch.setattr(programs_api, "list_programs", lambda *a, **k: calls.append(a))
    refused = the_error(api.post(COSTLY, {"first": 100}))
    # 1 + 100 edges + 100 nodes + 100 enrolments + 10 entries each, their students, 10
    # outcomes each, 10 evaluations each, 10 ratings each.
    cost = 1 + 100 + 100 + 100 + 1_000 + 1_000 + 10_000 + 100_000 + 1_000_000
    assert refused["extensions"] == {"code": "QUERY_TOO_COMPLEX", "cost": cost, "budget": 25_000}
    assert refused["message"] == (
        f"This query could resolve {cost:,} objects, over the budget of 25,000: ask for "
        "smaller pages (`first`) or fewer nested lists."
    )
    assert calls == []
    monkeypatch.undo()
    assert api.data(COSTLY, {"first": 1}) == {"programs": {"edges": []}}


def test_every_query_in_the_readme_tour_is_within_the_budget_and_valid(api):
    blocks = re.findall(r"```graphql\n(.*?)```", README.read_text(), re.DOTALL)
    assert len(blocks) >= 10
    for block in blocks:
        document = re.sub(r'"<[^>]+>"', lambda _: f'"{uuid4()}"', block).replace("<position>", "0")
        if document.lstrip().startswith("subscription"):
            assert estimate(schema._schema, parse(document)) < 25_000
            continue
        body = api.post(document)
        codes = {e["extensions"]["code"] for e in body.get("errors", [])}
        assert not codes & {"QUERY_TOO_COMPLEX", "GRAPHQL_VALIDATION_FAILED"}, (block, body)


def test_every_problem_of_an_input_is_listed_each_naming_its_field(api):
    school, firm = org(api)["id"], org(api, "Ardent", "BUSINESS")["id"]
    formed = api.data(PARTNERSHIP, {"input": {"name": "R", "organizationIds": [school, firm]}})
    before = api.event_count()
    bad = program_input(
        formed["formPartnership"]["id"],
        name="  ",
        capacity=0,
        startsOn="2026-09-01",
        endsOn="2026-08-31",
    )
    query = PROGRAM.replace(
        "... on ValidationError { field }",
        "... on ValidationError { field problems { field message } }",
    )
    result = api.data(query, {"input": bad})["launchProgram"]
    assert result["problems"] == [
        {"field": "name", "message": "name must not be blank"},
        {"field": "capacity", "message": "capacity must be a whole number from 1 to 10000"},
        {"field": "endsOn", "message": "endsOn must not be before startsOn"},
    ]
    assert (result["field"], result["message"]) == ("name", "name must not be blank")
    too_long = api.data(
        query, {"input": program_input(formed["formPartnership"]["id"], name="x" * 201)}
    )["launchProgram"]
    assert too_long["problems"] == [
        {"field": "name", "message": "name must be at most 200 characters"}
    ]
    assert api.event_count() == before


def test_an_unexpected_failure_is_internal_with_no_text_of_its_own_and_logged_once(
    api, monkeypatch, caplog
):
    async def broken(*_, **__):
        raise RuntimeError('could not open "/var/lib/bridgework/secret.conf"')

    monkeypatch.setattr(programs_api, "list_programs", broken)
    correlation = str(uuid4())
    caplog.set_level(logging.INFO)
    caplog.clear()
    body = api.post(PROGRAMS, {"first": 5}, x_correlation_id=correlation)
    error = the_error(body)
    ours = error["extensions"]["correlationId"]
    assert UUID(ours) != UUID(correlation)  # the server makes its own; the client's is beside
    assert error["extensions"] == {
        "code": "INTERNAL",
        "correlationId": ours,
        "clientCorrelationId": correlation,
    }
    assert ours in error["message"]
    for secret in ("secret", "/var/lib", "RuntimeError", "Traceback"):
        assert secret not in str(body)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert ours in errors[0].getMessage()
    assert correlation in errors[0].getMessage()
    assert errors[0].exc_info is not None
    assert "secret.conf" in str(errors[0].exc_info[1])


def test_a_full_disk_is_unavailable_and_retryable_in_our_own_words(api, monkeypatch):
    async def disk_full(*_, **__):
        raise asyncpg.exceptions.DiskFullError('could not extend file "pg_tblspc/16384/1"')

    monkeypatch.setattr(programs_api, "list_programs", disk_full)
    body = api.post(PROGRAMS, {"first": 5})
    error = the_error(body)
    assert error["extensions"]["code"] == "UNAVAILABLE"
    assert error["extensions"]["retryable"] is True
    assert error["extensions"]["correlationId"] in error["message"]
    assert "pg_tblspc" not in str(body)
    assert "extend" not in str(body)


def test_client_errors_log_one_line_at_info_without_a_traceback(api, caplog):
    caplog.set_level(logging.INFO)
    caplog.clear()
    api.post(
        "query Browse($first: Int!) { programs(first: $first) { edges { cursor } } }", {"first": 0}
    )
    api.post(ORG, {"name": 42, "kind": "SCHOOL"})
    ours = [r for r in caplog.records if r.name == "bridgework.graphql"]
    assert [r.levelno for r in ours] == [logging.INFO, logging.INFO]
    assert all(r.exc_info is None for r in ours)
    assert ours[0].getMessage() == "Browse refused with BAD_USER_INPUT (field first)"
    api.post(STUDENT_AT, {"name": "Zelda Quartermaine\x00", "school": str(uuid4())})
    assert "Zelda" not in caplog.text  # an input's value is never echoed into the log
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_subscription_errors_carry_codes_and_hide_server_faults(api, monkeypatch):
    store = api.client.app.state.api.store

    async def broken(*_, **__):
        raise RuntimeError("relation events_secret does not exist")

    def subscribe(query):
        with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            ws.send_json(api.init())
            assert ws.receive_json(timeout=10)["type"] == "connection_ack"
            ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
            return ws.receive_json(timeout=10)

    invalid = subscribe("subscription { events { nope } }")
    assert invalid["type"] == "error", invalid
    assert invalid["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    monkeypatch.setattr(store, "read_after", broken)
    failed = subscribe("subscription { events { position } }")
    [error] = failed["payload"]["errors"]
    assert error["extensions"]["code"] == "INTERNAL"
    assert "events_secret" not in str(failed)


@pytest.mark.parametrize("part", ["variables", "extensions"])
def test_a_request_body_nested_thousands_deep_is_a_400(api, part):
    nested = "[" * 20_000 + "]" * 20_000
    response = api.client.post(
        "/graphql",
        content=f'{{"query": "{{ __typename }}", "{part}": {{"a": {nested}}}}}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "The request body is nested too deeply to read.",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }
    assert api.client.get("/health").json() == {"status": "ok"}


def test_a_websocket_message_nested_thousands_deep_closes_the_socket_as_unreadable(api):
    nested = "[" * 20_000 + "]" * 20_000
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json(api.init())
        assert ws.receive_json(timeout=10)["type"] == "connection_ack"
        ws.send_text(f'{{"type": "ping", "payload": {nested}}}')
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json(timeout=10)
    assert closed.value.code == 4400
    assert api.client.get("/health").json() == {"status": "ok"}
