"""Sessions and attendance over GraphQL."""

from __future__ import annotations

from support.api import TODAY, a_program, enrol, student

SCHEDULE = """mutation($input: ScheduleSessionInput!) { scheduleSession(input: $input) {
  __typename ... on SessionChanged { sessionId position } ... on RuleViolationError { rule }
  ... on ValidationError { field } } }"""
ATTEND = """mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) {
  __typename ... on SessionChanged { position } ... on RuleViolationError { rule }
  ... on ValidationError { field } ... on NotFoundError { field } } }"""
VIEW = """query($id: ID!, $at: Int) { program(id: $id, atLeast: $at) {
  sessions { title present excused unexcused }
  attendance { student { name } rate absencesInARow flagged } } }"""


def test_a_student_missing_three_sessions_in_a_row_is_flagged(api):
    program = a_program(api, capacity=2)[0]
    ana, bo = student(api, "Ana Lima"), student(api, "Bo Chen")
    enrol(api, program, ana)
    enrol(api, program, bo)
    before = api.event_count()
    bad = api.data(
        SCHEDULE, {"input": {"programId": program, "heldOn": "1999-01-01", "title": "Too early"}}
    )["scheduleSession"]
    assert bad["rule"] == "SESSION_OUTSIDE_PROGRAM"
    assert api.event_count() == before
    last = None
    marks = [{"studentId": ana, "status": "PRESENT"}, {"studentId": bo, "status": "UNEXCUSED"}]
    for n in range(3):
        night = {"programId": program, "heldOn": TODAY.isoformat(), "title": f"Night {n + 1}"}
        s = api.data(SCHEDULE, {"input": night})["scheduleSession"]
        attended = {"programId": program, "sessionId": s["sessionId"], "marks": marks}
        last = api.data(ATTEND, {"input": attended})
    wrong = api.data(ATTEND, {"input": {"programId": program, "sessionId": program, "marks": []}})[
        "recordAttendance"
    ]
    assert wrong["field"] == "marks"
    view = api.data(VIEW, {"id": program, "at": last["recordAttendance"]["position"]})["program"]
    assert [x["present"] for x in view["sessions"]] == [1, 1, 1]
    assert view["attendance"][0] == {
        "student": {"name": "Bo Chen"},
        "rate": 0.0,
        "absencesInARow": 3,
        "flagged": True,
    }
