"""GraphQL over HTTP on the real app: the whole flow, typed errors, limits, pagination."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from bridgework.projections.registry import default_projections
from bridgework.services.ports import ORIGIN
from support.api import (
    ASSIGN,
    MENTOR,
    ORG,
    PARTNERSHIP,
    PROGRAM,
    TODAY,
    a_program,
    clear,
    count_reads,
    enrol,
    org,
    program_input,
    student,
)

WITHDRAW = """mutation($input: WithdrawStudentInput!) { withdrawStudent(input: $input) {
  __typename ... on StudentWithdrawn { position } ... on UserError { message } } }"""
SHOWCASE = """mutation($input: RecordShowcaseInput!) { recordShowcase(input: $input) {
  __typename ... on ShowcaseRecorded { id position }
  ... on UserError { message } ... on ValidationError { field } } }"""
COMPLETE = """mutation($input: CompleteEnrollmentInput!) { completeEnrollment(input: $input) {
  __typename ... on EnrollmentCompleted { position } ... on UserError { message } } }"""
PROGRAM_VIEW = """query($id: ID!, $at: Int) { program(id: $id, atLeast: $at) {
  name kind capacity partnership { name organizations { name } }
  enrollment { capacity enrolled waitlisted withdrawn completed seatsLeft
    entries { status waitlistPlace student { name } mentor { name } } }
  outcome { showcasesHeld studentsPresented completions completionRate mentorsAssigned }
  showcases { title presenters { name } attendingOrganizations { name } }
} }"""
WAITLIST = """query($id: ID!, $at: Int) { program(id: $id, atLeast: $at) {
  enrollment { waitlist { waitlistPlace student { name } } } } }"""


def test_a_coordinator_runs_a_program_from_launch_to_completion(api):
    program, _, firm = a_program(api, capacity=2)
    ana, bo, cy = student(api, "Ana Lima"), student(api, "Bo Chen"), student(api, "Cy Park")
    assert enrol(api, program, ana)["status"] == "ENROLLED"
    assert enrol(api, program, bo)["status"] == "ENROLLED"
    waitlisted = enrol(api, program, cy)
    assert waitlisted["status"] == "WAITLISTED"
    assert waitlisted["message"] == (
        "Program 'Robotics Club' is full: 2 of 2 seats taken; Cy Park is 1st on the waitlist"
    )
    line = api.data(WAITLIST, {"id": program, "at": waitlisted["position"]})["program"]
    assert line["enrollment"]["waitlist"] == [{"waitlistPlace": 1, "student": {"name": "Cy Park"}}]
    withdrawn = api.data(WITHDRAW, {"input": {"programId": program, "studentId": ana}})
    assert withdrawn["withdrawStudent"]["__typename"] == "StudentWithdrawn"
    mentor = api.data(MENTOR, {"org": firm})["registerMentor"]["id"]
    clear(api, mentor)
    assigned = api.data(
        ASSIGN, {"input": {"programId": program, "studentId": bo, "mentorId": mentor}}
    )
    assert assigned["assignMentor"]["__typename"] == "MentorAssigned"
    showcase = api.data(
        SHOWCASE,
        {
            "input": {
                "programId": program,
                "title": "Robot Rumble",
                "heldOn": TODAY.isoformat(),
                "presenterIds": [bo, cy],
                "attendingOrganizationIds": [firm],
            }
        },
    )["recordShowcase"]
    assert showcase["__typename"] == "ShowcaseRecorded", showcase
    done = api.data(COMPLETE, {"input": {"programId": program, "studentId": bo}})
    position = done["completeEnrollment"]["position"]

    view = api.data(PROGRAM_VIEW, {"id": program, "at": position})["program"]
    assert view["partnership"]["name"] == "Robotics"
    assert {o["name"] for o in view["partnership"]["organizations"]} == {
        "Lincoln Middle School",
        "Ardent Engineering",
    }
    assert view["enrollment"] | {"entries": None} == {
        "capacity": 2,
        "enrolled": 1,
        "waitlisted": 0,
        "withdrawn": 1,
        "completed": 1,
        "seatsLeft": 1,
        "entries": None,
    }
    assert [(e["student"]["name"], e["status"]) for e in view["enrollment"]["entries"]] == [
        ("Cy Park", "ENROLLED"),
        ("Bo Chen", "COMPLETED"),
        ("Ana Lima", "WITHDRAWN"),
    ]
    assert view["enrollment"]["entries"][1]["mentor"] == {"name": "Dana Ortiz"}
    assert view["outcome"] == {
        "showcasesHeld": 1,
        "studentsPresented": 2,
        "completions": 1,
        "completionRate": pytest.approx(1 / 3),
        "mentorsAssigned": 1,
    }
    assert view["showcases"][0]["attendingOrganizations"] == [{"name": "Ardent Engineering"}]

    mine = api.data(
        "query($id: ID!) { student(id: $id) { name enrollments { status waitlistPlace "
        "program { name } } } }",
        {"id": cy},
    )["student"]
    assert mine["enrollments"] == [
        {"status": "ENROLLED", "waitlistPlace": None, "program": {"name": "Robotics Club"}}
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 10_001}, "capacity"),
        ({"endsOn": (TODAY - timedelta(days=1)).isoformat()}, "endsOn"),
        ({"partnershipId": "not-an-id"}, "partnershipId"),
    ],
)
def test_bad_program_input_is_a_validation_error_naming_the_field_and_changes_nothing(
    api, changes, field
):
    school, firm = org(api)["id"], org(api, "Ardent", "BUSINESS")["id"]
    p = api.data(PARTNERSHIP, {"input": {"name": "R", "organizationIds": [school, firm]}})
    before = api.event_count()
    result = api.data(PROGRAM, {"input": program_input(p["formPartnership"]["id"], **changes)})[
        "launchProgram"
    ]
    assert result["__typename"] == "ValidationError"
    assert result["field"] == field
    assert field in result["message"]
    assert api.event_count() == before


def test_unknown_and_duplicated_ids_are_refused_naming_the_field(api):
    school = org(api)["id"]
    missing = str(uuid4())
    result = api.data(PARTNERSHIP, {"input": {"name": "R", "organizationIds": [school, missing]}})
    assert result["formPartnership"]["__typename"] == "NotFoundError"
    assert result["formPartnership"]["field"] == "organizationIds[1]"
    twice = api.data(PARTNERSHIP, {"input": {"name": "R", "organizationIds": [school, school]}})
    assert twice["formPartnership"]["field"] == "organizationIds"
    assert api.event_count() == 1


def test_a_wrongly_typed_value_is_refused_by_graphql_naming_the_argument(api):
    body = api.post(ORG, {"name": 42, "kind": "SCHOOL"})
    assert "name" in body["errors"][0]["message"]
    body = api.post(ORG, {"name": "A", "kind": "CASTLE"})
    assert "CASTLE" in body["errors"][0]["message"]
    assert api.event_count() == 0


def test_an_idempotency_key_makes_a_retry_return_the_first_result(api):
    first = org(api, key="lincoln-1")
    again = org(api, key="lincoln-1")
    assert again == first
    assert api.event_count() == 1
    other = api.data(ORG, {"name": "Elsewhere", "kind": "SCHOOL", "key": "lincoln-1"})
    assert other["registerOrganization"]["__typename"] == "ConflictError"
    too_long = api.data(ORG, {"name": "A", "kind": "SCHOOL", "key": "k" * 201})
    assert too_long["registerOrganization"]["field"] == "idempotencyKey"
    assert api.event_count() == 1


def test_a_broken_rule_is_a_rule_violation_with_its_code(api):
    program, _, firm = a_program(api, capacity=1)
    ana, bo = student(api, "Ana Lima"), student(api, "Bo Chen")
    enrol(api, program, ana)
    enrol(api, program, bo)  # waitlisted
    mentor = api.data(MENTOR, {"org": firm})["registerMentor"]["id"]
    before = api.event_count()
    refused = api.data(
        ASSIGN, {"input": {"programId": program, "studentId": bo, "mentorId": mentor}}
    )["assignMentor"]
    assert refused["__typename"] == "RuleViolationError"
    assert refused["rule"] == "NOT_ENROLLED"
    assert "Bo Chen is not enrolled in 'Robotics Club'" in refused["message"]
    again = enrol(api, program, ana)
    assert (again["__typename"], again["rule"]) == ("RuleViolationError", "ALREADY_ENROLLED")
    assert api.event_count() == before


def test_only_coordinators_may_change_things(api):
    body = api.data(ORG, {"name": "A", "kind": "SCHOOL"}, authorization=api.tokens.student(uuid4()))
    assert body["registerOrganization"]["__typename"] == "ForbiddenError"
    body = api.post(ORG, {"name": "A", "kind": "SCHOOL"}, authorization="Bearer wizard:merlin")
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert body["data"] is None
    body = api.post(ORG, {"name": "A", "kind": "SCHOOL"}, x_correlation_id="x" * 201)
    assert "X-Correlation-Id" in body["errors"][0]["message"]
    read = api.post("{ programs { edges { cursor } } }", authorization=None)
    assert read["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert read["data"] is None
    assert api.event_count() == 0


def test_events_record_the_verified_actor_and_keep_the_clients_correlation_id_beside(api):
    school = org(api)["id"]  # the tests' administrator
    ana = api.tokens.bearer(subject="ana", organisations=frozenset({UUID(school)}))
    api.data(
        ORG, {"name": "B", "kind": "SCHOOL"}, authorization=ana, x_correlation_id="checkout-42"
    )
    events = api.data(
        "{ events { edges { node { type payload metadata { actor correlationId command } } } } }"
    )["events"]["edges"]
    assert [e["node"]["metadata"]["actor"] for e in events] == [
        "administrator:test-administrator",
        "administrator:ana",
    ]
    server_made = events[1]["node"]["metadata"]["correlationId"]
    assert UUID(server_made) != UUID(events[0]["node"]["metadata"]["correlationId"])
    assert events[1]["node"]["payload"]["name"] == "B"
    assert events[1]["node"]["type"] == "OrganisationRegistered"
    store = api.client.app.state.api.store
    stored = api.client.blocking_portal.call(store.read_after, ORIGIN, 10)
    assert stored[1].metadata.client_correlation_id == "checkout-42"
    assert stored[1].metadata.organisations == (UUID(school),)
    assert stored[0].metadata.client_correlation_id is None


def test_the_log_pages_by_cursor_and_filters_by_type_and_stream(api):
    program, _, _ = a_program(api)
    query = """query($after: String, $types: [String!], $stream: String) {
      events(first: 2, after: $after, types: $types, streamId: $stream) {
        edges { cursor node { position type streamId } } pageInfo { hasNextPage endCursor } } }"""
    page1 = api.data(query)["events"]
    page2 = api.data(query, {"after": page1["pageInfo"]["endCursor"]})["events"]
    positions = [e["node"]["position"] for e in page1["edges"] + page2["edges"]]
    assert positions == sorted(positions)
    assert len(set(positions)) == 4
    assert page1["pageInfo"]["hasNextPage"]
    launched = api.data(query, {"types": ["ProgramLaunched"]})["events"]["edges"]
    assert [e["node"]["streamId"] for e in launched] == [f"program-{program}"]
    one = api.data(query, {"stream": f"program-{program}"})["events"]["edges"]
    assert [e["node"]["type"] for e in one] == ["ProgramLaunched"]
    bad = api.post(query, {"after": "bm9wZQ=="})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_programs_page_by_cursor_and_filter_by_kind_and_partnership(api):
    school, firm = org(api)["id"], org(api, "Ardent", "BUSINESS")["id"]
    p = api.data(PARTNERSHIP, {"input": {"name": "R", "organizationIds": [school, firm]}})
    partnership = p["formPartnership"]["id"]
    last = 0
    for i, kind in enumerate(["CLUB", "BOOTCAMP", "CLUB", "INTERNSHIP", "CLUB"]):
        launched = api.data(PROGRAM, {"input": program_input(partnership, name=f"P{i}", kind=kind)})
        last = launched["launchProgram"]["position"]
    query = """query($after: String, $kind: ProgramKind, $p: ID, $at: Int) {
      programs(first: 2, after: $after, kind: $kind, partnershipId: $p, atLeast: $at) {
        edges { cursor node { name kind } } pageInfo { hasNextPage endCursor } } }"""
    names, after = [], None
    while True:
        page = api.data(query, {"after": after, "at": last})["programs"]
        names += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert names == ["P0", "P1", "P2", "P3", "P4"]
    clubs = api.data(query, {"kind": "CLUB", "p": partnership})["programs"]["edges"]
    assert [e["node"]["name"] for e in clubs] == ["P0", "P2"]
    assert api.data(query, {"p": str(uuid4())})["programs"]["edges"] == []
    too_many = api.post("{ programs(first: 101) { edges { cursor } } }")
    assert "first: must be between 1 and 100" in too_many["errors"][0]["message"]


def test_unknown_ids_read_as_null_and_malformed_ids_as_errors(api):
    assert api.data('{ program(id: "%s") { name } }' % uuid4()) == {"program": None}  # noqa: UP031
    body = api.post('{ student(id: "nope") { name } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "id" in body["errors"][0]["message"]


def test_abusive_queries_are_refused_before_they_run(api):
    inner = "name"
    for _ in range(5):
        inner = f"partnership {{ programs {{ {inner} }} }}"
    deep = f'{{ program(id: "{uuid4()}") {{ {inner} }} }}'
    for _ in range(2):  # only documents that passed validation are remembered
        assert "exceeds maximum operation depth" in api.post(deep)["errors"][0]["message"]
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }"
    assert "aliases" in api.post(aliases)["errors"][0]["message"]
    tokens = "{ " + " ".join("__typename" for _ in range(3000)) + " }"
    assert "token" in api.post(tokens)["errors"][0]["message"].lower()


def test_a_remembered_document_still_gets_fresh_answers(api):
    query = "query($id: ID!, $at: Int) { organization(id: $id, atLeast: $at) { name } }"
    for name in ("A", "B"):  # the same document twice: validated once, executed each time
        created = org(api, name)
        found = api.data(query, {"id": created["id"], "at": created["position"]})
        assert found == {"organization": {"name": name}}
    missing = api.post(query, {"at": 1})
    assert "$id" in missing["errors"][0]["message"]


def test_reading_your_write_reports_when_the_views_are_behind(api_without_projections):
    api = api_without_projections
    created = org(api)
    body = api.post(
        "query($id: ID!, $at: Int) { program(id: $id, atLeast: $at) { name } }",
        {"id": created["id"], "at": created["position"]},
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_CAUGHT_UP"


def test_graphiql_health_and_readiness(api):
    page = api.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert api.client.get("/health").json() == {"status": "ok"}
    created = org(api)
    ready = api.client.get("/ready").json()
    assert ready["status"] == "ready"
    assert ready["head"] == created["position"]
    assert {p["name"] for p in ready["projections"]} == {p.name for p in default_projections()}


def test_a_mutation_payload_can_return_the_new_object_as_the_views_show_it(api):
    body = api.data(
        'mutation { registerOrganization(input: {name: "Lincoln", kind: SCHOOL}) {'
        " ... on OrganizationRegistered { id organization { id name kind } } } }"
    )["registerOrganization"]
    assert body["organization"] == {"id": body["id"], "name": "Lincoln", "kind": "SCHOOL"}
    program, _, _ = a_program(api, capacity=1)
    kid = student(api, "Ana Lima")
    enrolled = api.data(
        "mutation($input: EnrollStudentInput!) { enrollStudent(input: $input) {"
        " ... on StudentEnrolled { status program { enrollment { enrolled seatsLeft } } } } }",
        {"input": {"programId": program, "studentId": kid}},
    )["enrollStudent"]
    assert enrolled["status"] == "ENROLLED"
    assert enrolled["program"] == {"enrollment": {"enrolled": 1, "seatsLeft": 0}}


def test_a_page_of_programs_with_nested_views_costs_one_query_per_kind_of_read(api, monkeypatch):
    school, firm = org(api)["id"], org(api, "Ardent", "BUSINESS")["id"]
    p = api.data(PARTNERSHIP, {"input": {"name": "R", "organizationIds": [school, firm]}})
    last = 0
    for i in range(5):
        launched = api.data(
            PROGRAM, {"input": program_input(p["formPartnership"]["id"], name=f"P{i}")}
        )
        last = launched["launchProgram"]["position"]
    calls = count_reads(monkeypatch)
    page = api.data(
        """query($at: Int) { programs(first: 5, atLeast: $at) { edges { node {
          name partnership { name organizations { name } programs { name } }
          enrollment { seatsLeft entries { status } waitlist { status } }
          outcome { completions } showcases { title } } } } }""",
        {"at": last},
    )["programs"]["edges"]
    assert len(page) == 5
    assert calls == {
        "list_programs": 1,
        "partnerships": 1,
        "organisations": 1,
        "programs_of_partnerships": 1,
        "program_enrolments": 1,
        "enrolments_of_programs": 1,
        "program_outcomes": 1,
        "showcases_of_programs": 1,
    }


def test_event_filters_are_bounded(api):
    many = api.post(
        "query($t: [String!]) { events(types: $t) { edges { cursor } } }",
        {"t": [f"T{i}" for i in range(101)]},
    )
    assert many["errors"][0]["message"].startswith("types: at most 100 event types")
    long = api.post('{ events(streamId: "%s") { edges { cursor } } }' % ("s" * 201))
    assert long["errors"][0]["message"].startswith("streamId: must be 1 to 200 characters")
