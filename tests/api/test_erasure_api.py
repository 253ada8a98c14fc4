"""`eraseStudent` over GraphQL: who may, and what every reader sees afterwards."""

from __future__ import annotations

from support.api import student

ERASE = """mutation($input: EraseStudentInput!) { eraseStudent(input: $input) {
  __typename ... on StudentErased { id position } ... on RuleViolationError { rule }
  ... on ForbiddenError { message } ... on ValidationError { field } ... on NotFoundError { field }
} }"""
VIEW = """query($s: ID!, $at: Int) { student(id: $s, atLeast: $at) { name dateOfBirth
  timeline(first: 5) { edges { node { summary } } } } }"""
EVENTS = """query { events(first: 100, types: ["StudentRegistered", "StudentErased"]) {
  edges { node { type payload } } } }"""


def test_a_coordinator_erases_a_student_and_every_reader_sees_erased(api):
    kid = student(api, "Wilhelmina Oyelaran")
    erased = api.data(ERASE, {"input": {"studentId": kid, "reason": "Their guardian asked"}})
    assert erased["eraseStudent"]["__typename"] == "StudentErased"
    seen = api.data(VIEW, {"s": kid, "at": erased["eraseStudent"]["position"]})["student"]
    assert (seen["name"], seen["dateOfBirth"]) == ("erased", None)
    events = [e["node"] for e in api.data(EVENTS)["events"]["edges"]]
    registered = [e["payload"] for e in events if e["type"] == "StudentRegistered"]
    assert [p["name"] for p in registered] == ["erased"]
    assert [e["payload"]["reason"] for e in events if e["type"] == "StudentErased"] == [
        "Their guardian asked"
    ]


def test_only_staff_who_may_erase_do_and_bad_input_names_the_field(api):
    kid = student(api, "Wilhelmina Oyelaran")
    mine = api.data(
        ERASE,
        {"input": {"studentId": kid, "reason": "asked"}},
        authorization=api.tokens.student(kid),
    )
    assert mine["eraseStudent"]["__typename"] == "ForbiddenError"
    blank = api.data(ERASE, {"input": {"studentId": kid, "reason": " "}})["eraseStudent"]
    assert (blank["__typename"], blank["field"]) == ("ValidationError", "reason")
    naming = {"input": {"studentId": kid, "reason": "Wilhelmina Oyelaran asked"}}
    refused = api.data(ERASE, naming)["eraseStudent"]
    assert (refused["__typename"], refused["rule"]) == (
        "RuleViolationError",
        "REASON_NAMES_STUDENT",
    )
    assert api.data(VIEW, {"s": kid})["student"]["name"] == "Wilhelmina Oyelaran"
