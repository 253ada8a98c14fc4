"""A student's outcomes over GraphQL: per program they have an enrolment entry in, where
they stand, their hours, attendance, survey changes, credentials, pathways and evaluations
there, built from the same views the rest of the API reads."""

from __future__ import annotations

from datetime import timedelta

from support.api import (
    PARTNERSHIP,
    PROGRAM,
    STUDENT,
    TODAY,
    count_reads,
    enrol,
    org,
    program_input,
    student,
)
from support.hours import mailed_link

SUBMIT = """mutation($input: SubmitHoursInput!) { submitHours(input: $input) {
  __typename ... on HoursChanged { logId position } } }"""
VERIFY = """mutation($input: VerifyHoursInput!) { verifyHours(input: $input) {
  __typename ... on HoursChanged { status position } } }"""
APPROVE = """mutation($input: ApproveHoursInput!) { approveHours(input: $input) {
  __typename ... on HoursChanged { status position } } }"""
SCHEDULE = """mutation($input: ScheduleSessionInput!) { scheduleSession(input: $input) {
  __typename ... on SessionChanged { sessionId position } } }"""
ATTEND = """mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) {
  __typename ... on SessionChanged { position } } }"""
SURVEY = """mutation($input: RecordSurveyInput!) { recordSurvey(input: $input) {
  __typename ... on SurveyRecorded { id position } } }"""
EVALUATE = """mutation($input: RecordEvaluationInput!) { recordEvaluation(input: $input) {
  __typename ... on SurveyRecorded { id position } } }"""
CREDENTIAL = """mutation($input: RecordCredentialInput!) { recordCredential(input: $input) {
  __typename ... on OutcomeRecorded { id position } } }"""
PATHWAY = """mutation($input: RecordPathwayInput!) { recordPathway(input: $input) {
  __typename ... on OutcomeRecorded { id position } } }"""
APPLY = """mutation($input: ApplyToProgramInput!) { applyToProgram(input: $input) {
  __typename ... on ApplicationDecided { status position } } }"""
DENY = """mutation($input: DenyApplicationInput!) { denyApplication(input: $input) {
  __typename ... on ApplicationDecided { status position } } }"""
OUTCOME = """program { id name } status hoursSubmitted hoursVerified hoursApproved
  attendance { sessions present excused unexcused rate absencesInARow flagged
               student { name } }
  surveyChanges { programId question pre post change preAnsweredOn postAnsweredOn }
  credentials { id name issuer earnedOn programId }
  pathways { id pathway organisation on programId }
  evaluations { id programId phase evaluator evaluatedOn comments
                ratings { competency score } }"""
OUTCOMES = f"""query($id: ID!, $at: Int) {{ student(id: $id, atLeast: $at) {{ outcomes {{
  {OUTCOME} }} }} }}"""
CLASS_OUTCOMES = f"""query($id: ID!, $at: Int) {{ program(id: $id, atLeast: $at) {{
  enrollment {{ entries {{ student {{ name outcomes {{ {OUTCOME} }} }} }} }} }} }}"""
LAB, STEM = "confidence_lab_techniques", "interest_stem_career"


def day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


class Writes:
    """Runs mutations, checks each succeeded, and remembers the latest log position."""

    def __init__(self, api):
        self.api, self.position = api, 0

    def __call__(self, mutation, field, given, typename, **headers):
        result = self.api.data(mutation, {"input": given}, **headers)[field]
        assert result["__typename"] == typename, result
        self.position = max(self.position, result["position"])
        return result


def three_programs(api):
    """An internship, a club with one seat and a bootcamp, all in one partnership."""
    school, firm = org(api)["id"], org(api, "Ardent Biotech", "BUSINESS")["id"]
    formed = api.data(
        PARTNERSHIP, {"input": {"name": "Biotech", "organizationIds": [school, firm]}}
    )
    partnership = formed["formPartnership"]["id"]
    ids = []
    for kind, name, capacity in (
        ("INTERNSHIP", "Biotech Internship", 5),
        ("CLUB", "Robotics Club", 1),
        ("BOOTCAMP", "Coding Bootcamp", 5),
    ):
        given = program_input(
            partnership, kind=kind, name=name, capacity=capacity, startsOn=day(30)
        )
        ids.append(api.data(PROGRAM, {"input": given})["launchProgram"]["id"])
    return ids


def test_a_students_outcomes_per_program_they_have_an_entry_in(api, database_url):
    internship, club, bootcamp = three_programs(api)
    ana, bo = student(api, "Ana Lima"), student(api, "Bo Chen")
    write = Writes(api)

    # In the order the student got there; the outcomes come in order of standing.
    write(APPLY, "applyToProgram", {"programId": bootcamp, "studentId": ana}, "ApplicationDecided")
    denied = {"programId": bootcamp, "studentId": ana, "reason": "Grade 11 first"}
    assert write(DENY, "denyApplication", denied, "ApplicationDecided")["status"] == "DENIED"
    assert enrol(api, club, bo)["status"] == "ENROLLED"
    assert enrol(api, club, ana)["status"] == "WAITLISTED"
    for kid in (ana, bo):
        assert enrol(api, internship, kid)["status"] == "ENROLLED"

    # Two sessions: Ana present, then absent; Bo excused at both.
    for days_ago, ana_was in ((10, "PRESENT"), (3, "UNEXCUSED")):
        night = {"programId": internship, "heldOn": day(days_ago), "title": f"Day {days_ago}"}
        session = write(SCHEDULE, "scheduleSession", night, "SessionChanged")["sessionId"]
        marks = [{"studentId": ana, "status": ana_was}, {"studentId": bo, "status": "EXCUSED"}]
        attended = {"programId": internship, "sessionId": session, "marks": marks}
        write(ATTEND, "recordAttendance", attended, "SessionChanged")

    # Hours: one approved, one verified only, one still with the supervisor; Bo's are his.
    def log(kid, hours, days_ago):
        entry = {
            "studentId": kid,
            "programId": internship,
            "workedOn": day(days_ago),
            "hours": hours,
            "activity": "Lab work",
            "supervisorName": "Dr. Rosa Diaz",
            "supervisorEmail": "rosa@ardent.example",
        }
        return write(
            SUBMIT, "submitHours", entry, "HoursChanged", authorization=api.tokens.student(kid)
        )

    for logged, approve in ((log(ana, "3.5", 5), True), (log(ana, "2.25", 4), False)):
        token = mailed_link(database_url, logged["logId"])
        answer = {"token": token, "supervisorName": "Dr. Rosa Diaz", "verified": True}
        assert write(VERIFY, "verifyHours", answer, "HoursChanged")["status"] == "VERIFIED"
        if approve:
            write(APPROVE, "approveHours", {"logId": logged["logId"]}, "HoursChanged")
    log(ana, "1.25", 2)
    log(bo, "8", 2)

    # Surveys: both questions before, only one after.
    def survey(phase, days_ago, **scores):
        given = {
            "studentId": ana,
            "programId": internship,
            "phase": phase,
            "answeredOn": day(days_ago),
            "answers": [{"question": q, "score": s} for q, s in scores.items()],
        }
        write(SURVEY, "recordSurvey", given, "SurveyRecorded")

    survey("PRE", 25, **{LAB: 2, STEM: 3})
    survey("POST", 1, **{LAB: 4})

    def evaluate(phase, days_ago, **scores):
        given = {
            "studentId": ana,
            "programId": internship,
            "phase": phase,
            "evaluator": "Dr. Rosa Diaz",
            "evaluatedOn": day(days_ago),
            "ratings": [{"competency": c, "score": s} for c, s in scores.items()],
            "comments": f"{phase.lower()} review",
        }
        return write(EVALUATE, "recordEvaluation", given, "SurveyRecorded")["id"]

    midpoint = evaluate("MIDPOINT", 15, teamwork=3, communication=4)
    end = evaluate("END", 1, teamwork=5, communication=4)

    # A credential and a pathway through the internship, and one of each through no program.
    def credential(name, program=None):
        given = {
            "studentId": ana,
            "name": name,
            "issuer": "Ardent Biotech",
            "earnedOn": day(2),
            "programId": program,
        }
        return write(CREDENTIAL, "recordCredential", given, "OutcomeRecorded")["id"]

    def pathway(kind, program=None):
        given = {
            "studentId": ana,
            "pathway": kind,
            "on": day(0),
            "organisation": "Ardent Biotech",
            "programId": program,
        }
        return write(PATHWAY, "recordPathway", given, "OutcomeRecorded")["id"]

    lab_safety = credential("Lab safety", internship)
    credential("First aid")
    offer = pathway("INTERNSHIP_OFFER", internship)
    pathway("COLLEGE_STEM")

    found = api.data(OUTCOMES, {"id": ana, "at": write.position})["student"]["outcomes"]

    nothing = {
        "hoursSubmitted": "0",
        "hoursVerified": "0",
        "hoursApproved": "0",
        "attendance": None,
        "surveyChanges": [],
        "credentials": [],
        "pathways": [],
        "evaluations": [],
    }
    assert found == [
        {
            "program": {"id": internship, "name": "Biotech Internship"},
            "status": "ENROLLED",
            "hoursSubmitted": "7.00",
            "hoursVerified": "5.75",
            "hoursApproved": "3.50",
            "attendance": {
                "sessions": 2,
                "present": 1,
                "excused": 0,
                "unexcused": 1,
                "rate": 0.5,
                "absencesInARow": 1,
                "flagged": False,
                "student": {"name": "Ana Lima"},
            },
            "surveyChanges": [
                {
                    "programId": internship,
                    "question": LAB,
                    "pre": 2,
                    "post": 4,
                    "change": 2,
                    "preAnsweredOn": day(25),
                    "postAnsweredOn": day(1),
                },
                {
                    "programId": internship,
                    "question": STEM,
                    "pre": 3,
                    "post": None,
                    "change": None,
                    "preAnsweredOn": day(25),
                    "postAnsweredOn": None,
                },
            ],
            "credentials": [
                {
                    "id": lab_safety,
                    "name": "Lab safety",
                    "issuer": "Ardent Biotech",
                    "earnedOn": day(2),
                    "programId": internship,
                },
            ],
            "pathways": [
                {
                    "id": offer,
                    "pathway": "INTERNSHIP_OFFER",
                    "organisation": "Ardent Biotech",
                    "on": day(0),
                    "programId": internship,
                },
            ],
            "evaluations": [
                {
                    "id": midpoint,
                    "programId": internship,
                    "phase": "MIDPOINT",
                    "evaluator": "Dr. Rosa Diaz",
                    "evaluatedOn": day(15),
                    "comments": "midpoint review",
                    "ratings": [
                        {"competency": "communication", "score": 4},
                        {"competency": "teamwork", "score": 3},
                    ],
                },
                {
                    "id": end,
                    "programId": internship,
                    "phase": "END",
                    "evaluator": "Dr. Rosa Diaz",
                    "evaluatedOn": day(1),
                    "comments": "end review",
                    "ratings": [
                        {"competency": "communication", "score": 4},
                        {"competency": "teamwork", "score": 5},
                    ],
                },
            ],
        },
        {"program": {"id": club, "name": "Robotics Club"}, "status": "WAITLISTED"} | nothing,
        {"program": {"id": bootcamp, "name": "Coding Bootcamp"}, "status": "DENIED"} | nothing,
    ]


def test_a_student_with_no_enrolments_has_no_outcomes(api):
    registered = api.data(STUDENT, {"name": "Cy Park"})["registerStudent"]
    write = Writes(api)
    given = {
        "studentId": registered["id"],
        "name": "First aid",
        "issuer": "Red Cross",
        "earnedOn": day(1),
    }
    write(CREDENTIAL, "recordCredential", given, "OutcomeRecorded")
    found = api.data(OUTCOMES, {"id": registered["id"], "at": write.position})["student"]
    assert found == {"outcomes": []}


def test_the_outcomes_of_a_class_cost_one_query_per_loader_not_per_student(api, monkeypatch):
    internship, club, _ = three_programs(api)
    write = Writes(api)
    kids = [student(api, name) for name in ("Ana Lima", "Bo Chen", "Cy Park", "Dee Ray")]
    for kid in kids:
        assert enrol(api, internship, kid)["status"] in {"ENROLLED", "WAITLISTED"}
        enrol(api, club, kid)
        entry = {
            "studentId": kid,
            "programId": internship,
            "workedOn": day(2),
            "hours": "2",
            "activity": "Lab work",
            "supervisorName": "Dr. Rosa Diaz",
            "supervisorEmail": "rosa@ardent.example",
        }
        write(SUBMIT, "submitHours", entry, "HoursChanged")
    marks = [{"studentId": kid, "status": "PRESENT"} for kid in kids]
    night = {"programId": internship, "heldOn": day(3), "title": "Day 3"}
    session = write(SCHEDULE, "scheduleSession", night, "SessionChanged")["sessionId"]
    given = {"programId": internship, "sessionId": session, "marks": marks}
    write(ATTEND, "recordAttendance", given, "SessionChanged")

    calls = count_reads(monkeypatch)
    found = api.data(CLASS_OUTCOMES, {"id": internship, "at": write.position})
    entries = found["program"]["enrollment"]["entries"]
    assert len(entries) == len(kids)
    for e in entries:
        outcomes = e["student"]["outcomes"]
        assert [o["program"]["name"] for o in outcomes] == ["Biotech Internship", "Robotics Club"]
        assert outcomes[0]["hoursSubmitted"] == "2.00"
        assert outcomes[0]["attendance"]["student"] == {"name": e["student"]["name"]}
        assert outcomes[1]["attendance"] is None
    # One query per loader, however many students: `programs` twice only because the root
    # field loads the internship before the outcomes ask for both programs.
    assert calls == {
        "programs": 2,
        "program_enrolments": 1,
        "enrolments_of_programs": 1,
        "students": 1,
        "enrolments_of_students": 1,
        "hours_of_students": 1,
        "attendance_of_programs": 1,
        "surveys_of_students": 1,
        "credentials_of_students": 1,
        "pathways_of_students": 1,
        "evaluations_of_students": 1,
    }
