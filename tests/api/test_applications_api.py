"""Applications over GraphQL: a student applies for themselves; a coordinator accepts or
denies; the eligibility rules refuse on their own, and the enrolment view shows all of it."""

from __future__ import annotations

from support.api import a_program, student

DECISION = """__typename ... on ApplicationDecided { status message position }
  ... on RuleViolationError { rule } ... on ValidationError { field }
  ... on NotFoundError { field } ... on ForbiddenError { message }"""
APPLY = f"""mutation($input: ApplyToProgramInput!) {{ applyToProgram(input: $input) {{
  {DECISION} }} }}"""
ACCEPT = f"""mutation($input: DecideApplicationInput!) {{ acceptApplication(input: $input) {{
  {DECISION} }} }}"""
DENY = f"""mutation($input: DenyApplicationInput!) {{ denyApplication(input: $input) {{
  {DECISION} }} }}"""
ELIGIBILITY = """mutation($input: SetEligibilityInput!) { setEligibility(input: $input) {
  __typename } }"""
VIEW = """query($id: ID!, $at: Int) { program(id: $id, atLeast: $at) { enrollment {
  enrolled waitlisted applied denied refused
  entries { status reason rule student { name } } } } }"""


def test_applications_from_applying_to_a_seat_a_denial_and_a_refusal(api):
    program = a_program(api, capacity=1)[0]
    ana, bo, cy = (student(api, n) for n in ("Ana Lima", "Bo Chen", "Cy Park"))
    for kid in (ana, bo, cy):
        applied = api.data(
            APPLY,
            {"input": {"programId": program, "studentId": kid}},
            authorization=api.tokens.student(kid),
        )["applyToProgram"]
        assert applied["status"] == "APPLIED"
    someone_else = api.data(
        APPLY,
        {"input": {"programId": program, "studentId": ana}},
        authorization=api.tokens.student(bo),
    )["applyToProgram"]
    assert someone_else["__typename"] == "ForbiddenError"
    accepted = api.data(ACCEPT, {"input": {"programId": program, "studentId": ana}})
    assert accepted["acceptApplication"]["status"] == "ENROLLED"
    blank = api.data(DENY, {"input": {"programId": program, "studentId": bo, "reason": " "}})
    assert blank["denyApplication"]["field"] == "reason"
    denied = api.data(
        DENY, {"input": {"programId": program, "studentId": bo, "reason": "Grade 11 first"}}
    )
    assert denied["denyApplication"]["status"] == "DENIED"
    again = api.data(DENY, {"input": {"programId": program, "studentId": bo, "reason": "x"}})
    assert again["denyApplication"]["rule"] == "NO_OPEN_APPLICATION"

    api.data(ELIGIBILITY, {"input": {"programId": program, "minAge": 30}})
    dee = student(api, "Dee Ray")
    refused = api.data(APPLY, {"input": {"programId": program, "studentId": dee}})
    assert refused["applyToProgram"]["status"] == "REFUSED"
    position = refused["applyToProgram"]["position"]

    view = api.data(VIEW, {"id": program, "at": position})["program"]["enrollment"]
    assert {k: view[k] for k in ("enrolled", "waitlisted", "applied", "denied", "refused")} == {
        "enrolled": 1,
        "waitlisted": 0,
        "applied": 1,
        "denied": 1,
        "refused": 1,
    }
    by_name = {e["student"]["name"]: e for e in view["entries"]}
    assert by_name["Bo Chen"] == {
        "status": "DENIED",
        "reason": "Grade 11 first",
        "rule": None,
        "student": {"name": "Bo Chen"},
    }
    assert by_name["Cy Park"]["status"] == "APPLIED"
    assert by_name["Dee Ray"]["rule"] == "TOO_YOUNG"
    assert [e["status"] for e in view["entries"]] == ["ENROLLED", "APPLIED", "DENIED", "REFUSED"]
