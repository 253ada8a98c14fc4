"""Hours over GraphQL: the student logs them, the supervisor reads and answers through the
link's token with no account, the school approves; the views show each step."""

from __future__ import annotations

from support.api import TODAY, a_program, enrol, student

CHANGED = """__typename ... on HoursChanged { logId status verificationToken position
  entry { hours status linkExpiresAt } }
  ... on RuleViolationError { rule } ... on ValidationError { field }
  ... on ForbiddenError { message }"""
SUBMIT = f"""mutation($input: SubmitHoursInput!) {{ submitHours(input: $input) {{ {CHANGED} }} }}"""
VERIFY = f"""mutation($input: VerifyHoursInput!) {{ verifyHours(input: $input) {{ {CHANGED} }} }}"""
APPROVE = f"""mutation($input: ApproveHoursInput!) {{ approveHours(input: $input) {{
  {CHANGED} }} }}"""
TO_VERIFY = """query($token: String!) { hoursToVerify(token: $token) {
  workedOn hours activity status student { name } program { name } } }"""
VIEW = """query($program: ID!, $student: ID!, $at: Int) {
  program(id: $program, atLeast: $at) { hoursTotals { submitted verified approved
    awaitingSupervisor awaitingSchool } }
  student(id: $student, atLeast: $at) { hours { hours status supervisorName } } }"""


def test_hours_from_the_student_to_the_supervisors_link_to_the_school(api):
    program = a_program(api, capacity=2)[0]
    ana = student(api, "Ana Lima")
    enrol(api, program, ana)
    entry = {
        "studentId": ana, "programId": program, "workedOn": TODAY.isoformat(), "hours": "3.5",
        "activity": "Wired the arm", "supervisorName": "Dana Ortiz",
        "supervisorEmail": "dana@ardent.example",
    }  # fmt: skip
    logged = api.data(SUBMIT, {"input": entry}, authorization=api.tokens.student(ana))[
        "submitHours"
    ]
    assert logged["status"] == "SUBMITTED"
    assert logged["entry"]["linkExpiresAt"] is not None
    token = logged["verificationToken"]
    bad = api.data(SUBMIT, {"input": entry | {"hours": "1.125"}})["submitHours"]
    assert bad["field"] == "hours"

    page = api.data(TO_VERIFY, {"token": token}, authorization=None)["hoursToVerify"]
    assert page == {
        "workedOn": TODAY.isoformat(), "hours": "3.50", "activity": "Wired the arm",
        "status": "SUBMITTED", "student": {"name": "Ana Lima"},
        "program": {"name": "Robotics Club"},
    }  # fmt: skip
    forged = api.post(TO_VERIFY, {"token": token + "x"}, authorization=None)
    assert forged["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    answer = {"token": token, "supervisorName": "Dana Ortiz", "verified": True}
    verified = api.data(VERIFY, {"input": answer}, authorization=None)["verifyHours"]
    assert verified["status"] == "VERIFIED"
    assert verified["verificationToken"] is None
    replayed = api.data(VERIFY, {"input": answer})["verifyHours"]
    assert replayed["rule"] == "LINK_ALREADY_USED"
    not_mine = api.data(
        APPROVE, {"input": {"logId": logged["logId"]}}, authorization=api.tokens.student(ana)
    )
    assert not_mine["approveHours"]["__typename"] == "ForbiddenError"
    approved = api.data(APPROVE, {"input": {"logId": logged["logId"], "note": "Thanks"}})
    position = approved["approveHours"]["position"]

    view = api.data(VIEW, {"program": program, "student": ana, "at": position})
    assert view["program"]["hoursTotals"] == {
        "submitted": "3.50", "verified": "3.50", "approved": "3.50", "awaitingSupervisor": 0,
        "awaitingSchool": 0,
    }  # fmt: skip
    assert view["student"]["hours"] == [
        {"hours": "3.50", "status": "APPROVED", "supervisorName": "Dana Ortiz"}
    ]
