"""Talking to the real app over HTTP in API tests."""

from __future__ import annotations

import functools
import inspect
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bridgework.graphql import loaders
from bridgework.services.identity import Role

if TYPE_CHECKING:
    import pytest
    from litestar.testing import TestClient
    from support.auth import Tokens

TODAY = datetime.now(UTC).date()

ORG = """mutation($name: String!, $kind: OrganizationKind!, $key: String) {
  registerOrganization(input: {name: $name, kind: $kind, idempotencyKey: $key}) {
    __typename
    ... on OrganizationRegistered { id position }
    ... on UserError { message }
    ... on ValidationError { field }
  } }"""


class Api:
    """The app under test; every request carries the token of the deployment's own staff (an
    administrator, unscoped, granted personal data) unless it passes an `authorization` of its own
    (`api.tokens.student(id)`, `api.tokens.bearer(Role.COORDINATOR, organisations=…)`, …, or
    None for none at all)."""

    def __init__(self, client: TestClient[Any], tokens: Tokens) -> None:
        self.client = client
        self.tokens = tokens
        self.staff = tokens.bearer(Role.ADMINISTRATOR, personal_data=True)

    def headers(self, **headers: str | None) -> dict[str, str]:
        headers = {"authorization": self.staff} | headers
        return {k.replace("_", "-"): v for k, v in headers.items() if v is not None}

    def init(self, authorization: str | None = None) -> dict[str, object]:
        """A websocket's connection_init message, with the staff's token by default."""
        return self.tokens.init(authorization or self.staff)

    def post(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str | None
    ) -> dict:
        response = self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=self.headers(**headers),
        )
        assert response.status_code == 200, response.text
        return response.json()

    def data(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str | None
    ) -> dict:
        body = self.post(query, variables, **headers)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def event_count(self) -> int:
        query = "query($after: String) { events(first: 1000, after: $after) { edges { cursor } } }"
        total, after = 0, None
        while edges := self.data(query, {"after": after})["events"]["edges"]:
            total, after = total + len(edges), edges[-1]["cursor"]
        return total


def org(api, name="Lincoln Middle School", kind="SCHOOL", key=None):
    result = api.data(ORG, {"name": name, "kind": kind, "key": key})["registerOrganization"]
    assert result["__typename"] == "OrganizationRegistered", result
    return result


PARTNERSHIP = """mutation($input: FormPartnershipInput!) { formPartnership(input: $input) {
  __typename ... on PartnershipFormed { id position }
  ... on UserError { message } ... on ValidationError { field } ... on NotFoundError { field }
} }"""
PROGRAM = """mutation($input: LaunchProgramInput!) { launchProgram(input: $input) {
  __typename ... on ProgramLaunched { id position }
  ... on UserError { message } ... on ValidationError { field } ... on NotFoundError { field }
} }"""
STUDENT = """mutation($name: String!) {
  registerStudent(input: {name: $name, grade: 12, dateOfBirth: "2007-01-15"}) {
  ... on StudentRegistered { id position } } }"""
STUDENT_AT = """mutation($name: String!, $school: ID!) {
  registerStudent(input: {name: $name, grade: 12, schoolId: $school, dateOfBirth: "2007-01-15"}) {
  __typename ... on StudentRegistered { id position } ... on UserError { message } } }"""
ENROL = """mutation($input: EnrollStudentInput!) { enrollStudent(input: $input) {
  __typename ... on StudentEnrolled { status message position }
  ... on UserError { message } ... on RuleViolationError { rule }
  ... on NotFoundError { field } ... on ValidationError { field }
} }"""


def program_input(partnership_id, **changes):
    return {
        "partnershipId": partnership_id,
        "name": "Robotics Club",
        "kind": "CLUB",
        "capacity": 2,
        "startsOn": TODAY.isoformat(),
        "endsOn": (TODAY + timedelta(days=90)).isoformat(),
    } | changes


def student(api, name):
    return api.data(STUDENT, {"name": name})["registerStudent"]["id"]


def enrol(api, program, kid, **extra):
    return api.data(ENROL, {"input": {"programId": program, "studentId": kid} | extra})[
        "enrollStudent"
    ]


CLEARANCE = """mutation($input: RecordClearanceInput!) { recordClearance(input: $input) {
  __typename ... on ClearanceRecorded { id position }
  ... on UserError { message } ... on ValidationError { field } ... on NotFoundError { field }
  ... on RuleViolationError { rule } } }"""


def clear(api, mentor, **changes):
    """Record a clear background check for `mentor` (matching needs one)."""
    data = {
        "mentorId": mentor,
        "checkType": "Enhanced background check",
        "provider": "Valley Screening",
        "result": "CLEAR",
        "completedOn": (TODAY - timedelta(days=30)).isoformat(),
        "expiresOn": (TODAY + timedelta(days=365)).isoformat(),
    } | changes
    return api.data(CLEARANCE, {"input": data})["recordClearance"]


MENTOR = """mutation($org: ID!) {
  registerMentor(input: {name: "Dana Ortiz", organizationId: $org}) {
    ... on MentorRegistered { id position } } }"""
ASSIGN = """mutation($input: AssignMentorInput!) { assignMentor(input: $input) {
  __typename ... on MentorAssigned { position }
  ... on UserError { message } ... on RuleViolationError { rule } } }"""


def a_program(api, capacity=2):
    school, firm = org(api)["id"], org(api, "Ardent Engineering", "BUSINESS")["id"]
    p = api.data(PARTNERSHIP, {"input": {"name": "Robotics", "organizationIds": [school, firm]}})
    partnership = p["formPartnership"]["id"]
    launched = api.data(PROGRAM, {"input": program_input(partnership, capacity=capacity)})
    return launched["launchProgram"]["id"], school, firm


READ_SIDE = "bridgework.projections."


def count_reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count the read-model queries run (each projections query function runs one SQL query),
    by name: those a resolver calls itself and those a request's DataLoaders batch (each declared
    loader holds its query function, so it is counted too)."""
    calls: Counter[str] = Counter()

    def counting(name: str, fetch: Any) -> Any:
        @functools.wraps(fetch)
        async def counted(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return await fetch(*args, **kwargs)

        return counted

    for module in [m for name, m in sys.modules.items() if name.startswith("bridgework.graphql")]:
        for name, fetch in list(vars(module).items()):
            if inspect.iscoroutinefunction(fetch) and fetch.__module__.startswith(READ_SIDE):
                monkeypatch.setattr(module, name, counting(name, fetch))
    for loader in loaders.DECLARED:
        monkeypatch.setattr(loader, "fetch", counting(loader.fetch.__name__, loader.fetch))
    return calls
