"""Pre/post surveys and supervisor evaluations over GraphQL."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from support.api import PARTNERSHIP, PROGRAM, TODAY, enrol, org, program_input, student

SURVEY = """mutation($input: RecordSurveyInput!) { recordSurvey(input: $input) {
  __typename ... on SurveyRecorded { id position student { name } }
  ... on RuleViolationError { rule } ... on ValidationError { field }
  ... on NotFoundError { field } ... on ForbiddenError { message } } }"""
EVALUATE = """mutation($input: RecordEvaluationInput!) { recordEvaluation(input: $input) {
  __typename ... on SurveyRecorded { id position }
  ... on RuleViolationError { rule } ... on ValidationError { field }
  ... on ForbiddenError { message } } }"""
VIEW = """query($p: ID!, $s: ID!, $at: Int) {
  program(id: $p, atLeast: $at) {
    surveyResults { question respondents preMean postMean improvedShare meanChange } }
  student(id: $s, atLeast: $at) {
    surveys { question pre post change preAnsweredOn postAnsweredOn program { name } }
    evaluations { phase evaluator evaluatedOn comments ratings { competency score }
                  program { kind } } }
}"""
LAB, STEM = "confidence_lab_techniques", "interest_stem_career"


def programs(api):
    school, firm = org(api)["id"], org(api, "Ardent Biotech", "BUSINESS")["id"]
    formed = api.data(
        PARTNERSHIP, {"input": {"name": "Biotech", "organizationIds": [school, firm]}}
    )
    partnership = formed["formPartnership"]["id"]
    ids = []
    for kind, name in (("CLUB", "Science Club"), ("INTERNSHIP", "Biotech Internship")):
        given = program_input(
            partnership,
            kind=kind,
            name=name,
            capacity=5,
            startsOn=(TODAY - timedelta(days=30)).isoformat(),
        )
        ids.append(api.data(PROGRAM, {"input": given})["launchProgram"]["id"])
    return ids


def survey_input(program, kid, phase, days_ago, **scores):
    return {
        "studentId": kid,
        "programId": program,
        "phase": phase,
        "answeredOn": (TODAY - timedelta(days=days_ago)).isoformat(),
        "answers": [{"question": q, "score": s} for q, s in scores.items()],
    }


def evaluation_input(program, kid, phase, days_ago, **scores):
    return {
        "studentId": kid,
        "programId": program,
        "phase": phase,
        "evaluator": "Dr. Rosa Diaz",
        "evaluatedOn": (TODAY - timedelta(days=days_ago)).isoformat(),
        "ratings": [{"competency": c, "score": s} for c, s in scores.items()],
        "comments": f"{phase.lower()} review",
    }


def test_surveys_and_evaluations_show_on_the_program_and_the_student(api):
    club, internship = programs(api)
    ana, bo = student(api, "Ana Lima"), student(api, "Bo Chen")
    for kid in (ana, bo):
        enrol(api, club, kid)
    enrol(api, internship, ana)

    def record(kid, phase, days_ago, actor=None, **scores):
        headers = {"authorization": actor} if actor else {}
        given = survey_input(club, kid, phase, days_ago, **scores)
        return api.data(SURVEY, {"input": given}, **headers)["recordSurvey"]

    first = record(ana, "PRE", 20, actor=api.tokens.student(ana), **{LAB: 2, STEM: 3})
    assert first["__typename"] == "SurveyRecorded"
    assert first["student"] == {"name": "Ana Lima"}
    record(ana, "POST", 1, **{LAB: 4, STEM: 3})
    record(bo, "PRE", 20, **{LAB: 3, STEM: 5})
    record(bo, "POST", 1, **{LAB: 3, STEM: 4})

    before = api.event_count()
    refused = record(ana, "POST", 21, **{LAB: 4})
    assert refused["rule"] == "POST_BEFORE_PRE"
    assert record(ana, "POST", 1, **{LAB: 6})["field"] == "answers[0].score"
    assert record(ana, "POST", 1, **{"Lab?": 3})["field"] == "answers[0].question"
    assert record(ana, "POST", 1, actor=api.tokens.student(bo), **{LAB: 3})["__typename"] == (
        "ForbiddenError"
    )
    wrong_kind = api.data(EVALUATE, {"input": evaluation_input(club, ana, "MIDPOINT", 5, x=3)})
    assert wrong_kind["recordEvaluation"]["rule"] == "NOT_AN_INTERNSHIP"
    as_student = api.data(
        EVALUATE,
        {"input": evaluation_input(internship, ana, "MIDPOINT", 5, x=3)},
        authorization=api.tokens.student(ana),
    )
    assert as_student["recordEvaluation"]["__typename"] == "ForbiddenError"
    assert api.event_count() == before

    midpoint = evaluation_input(internship, ana, "MIDPOINT", 10, communication=3, teamwork=4)
    api.data(EVALUATE, {"input": midpoint}, authorization=api.tokens.mentor(uuid4()))
    end = evaluation_input(internship, ana, "END", 0, communication=5)
    early = api.data(EVALUATE, {"input": end | {"evaluatedOn": "2000-01-01"}})
    assert early["recordEvaluation"]["rule"] == "END_BEFORE_MIDPOINT"
    last = api.data(EVALUATE, {"input": end})["recordEvaluation"]

    view = api.data(VIEW, {"p": club, "s": ana, "at": last["position"]})
    assert view["program"]["surveyResults"] == [
        {
            "question": LAB,
            "respondents": 2,
            "preMean": 2.5,
            "postMean": 3.5,
            "improvedShare": 0.5,
            "meanChange": 1.0,
        },
        {
            "question": STEM,
            "respondents": 2,
            "preMean": 4.0,
            "postMean": 3.5,
            "improvedShare": 0.0,
            "meanChange": -0.5,
        },
    ]
    surveys = view["student"]["surveys"]
    assert [(s["question"], s["pre"], s["post"], s["change"]) for s in surveys] == [
        (LAB, 2, 4, 2),
        (STEM, 3, 3, 0),
    ]
    assert surveys[0]["preAnsweredOn"] == (TODAY - timedelta(days=20)).isoformat()
    assert surveys[0]["program"] == {"name": "Science Club"}
    assert view["student"]["evaluations"] == [
        {
            "phase": "MIDPOINT",
            "evaluator": "Dr. Rosa Diaz",
            "evaluatedOn": (TODAY - timedelta(days=10)).isoformat(),
            "comments": "midpoint review",
            "ratings": [
                {"competency": "communication", "score": 3},
                {"competency": "teamwork", "score": 4},
            ],
            "program": {"kind": "INTERNSHIP"},
        },
        {
            "phase": "END",
            "evaluator": "Dr. Rosa Diaz",
            "evaluatedOn": TODAY.isoformat(),
            "comments": "end review",
            "ratings": [{"competency": "communication", "score": 5}],
            "program": {"kind": "INTERNSHIP"},
        },
    ]


def test_a_resent_survey_with_its_idempotency_key_is_recorded_once(api):
    club, _ = programs(api)
    ana = student(api, "Ana Lima")
    enrol(api, club, ana)
    given = survey_input(club, ana, "PRE", 0, **{LAB: 2}) | {"idempotencyKey": "ana-pre"}
    first = api.data(SURVEY, {"input": given})["recordSurvey"]
    count = api.event_count()
    again = api.data(SURVEY, {"input": given})["recordSurvey"]
    assert (again["id"], again["position"]) == (first["id"], first["position"])
    assert api.event_count() == count
