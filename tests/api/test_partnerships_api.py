"""Partnerships over GraphQL: a proposed partnership goes live, its charter is measured,
partners are recorded, and every bad request is refused by name with nothing appended."""

from __future__ import annotations

from datetime import timedelta

from support.api import PARTNERSHIP, PROGRAM, TODAY, enrol, org, program_input, student

CHANGE = """mutation($input: %s!) { %s(input: $input) {
  __typename ... on PartnershipUpdated { id partnershipId status position }
  ... on UserError { message } ... on ValidationError { field } ... on NotFoundError { field }
  ... on RuleViolationError { rule } } }"""
PARTNERSHIP_VIEW = """query($id: ID!, $at: Int, $asOf: Date) { partnership(id: $id, atLeast: $at) {
  status termEndsOn history { change status reason }
  roles { role commitments organization { name } }
  metrics { name measure target current progress health(asOf: $asOf) values { value note } }
  liaisons { name email } contributions { kind value currency hours }
  checkIns { heldOn decisions followUps { action owner dueOn } }
  health(asOf: $asOf) { status metricsMet metricsOnTrack metricsBehind lastCheckInOn
    daysSinceLastCheckIn activePrograms { name }
    contributionsByPartner { organization { name } currency value hours contributions } }
} }"""


def change(api, mutation, input_type, data):
    return api.data(CHANGE % (input_type, mutation), {"input": data})[mutation]


def test_a_partnership_from_proposal_to_a_measured_charter(api):
    school, firm = org(api)["id"], org(api, "Ardent Engineering", "BUSINESS")["id"]
    formed = api.data(
        PARTNERSHIP,
        {
            "input": {
                "name": "Robotics",
                "organizationIds": [school, firm],
                "proposed": True,
            }
        },
    )["formPartnership"]
    p = formed["id"]
    refused = api.data(PROGRAM, {"input": program_input(p)})["launchProgram"]
    assert refused["__typename"] == "RuleViolationError", refused
    active = change(
        api,
        "activatePartnership",
        "ChangePartnershipStatusInput",
        {"partnershipId": p, "reason": "Both boards signed"},
    )
    assert (active["__typename"], active["status"]) == ("PartnershipUpdated", "ACTIVE")
    program = api.data(PROGRAM, {"input": program_input(p, capacity=5)})["launchProgram"]["id"]

    metric = change(
        api,
        "defineSuccessMetric",
        "DefineSuccessMetricInput",
        {
            "partnershipId": p,
            "name": "Club enrolment +40%",
            "measure": "ENROLMENTS",
            "baseline": "5",
            "target": "7",
            "unit": "students",
            "dueOn": (TODAY + timedelta(days=100)).isoformat(),
        },
    )
    assert metric["__typename"] == "PartnershipUpdated"
    assert metric["id"] != p
    manual = change(
        api,
        "defineSuccessMetric",
        "DefineSuccessMetricInput",
        {
            "partnershipId": p,
            "name": "More confident",
            "measure": "MANUAL",
            "target": "80",
        },
    )
    change(
        api,
        "recordMetricValue",
        "RecordMetricValueInput",
        {
            "partnershipId": p,
            "metricId": manual["id"],
            "value": "85",
            "recordedFor": TODAY.isoformat(),
            "note": "Spring survey",
        },
    )
    for name in ("Ana Lima", "Bo Chen", "Cy Park", "Dee Ray", "Eve Moss", "Fay Lin"):
        enrol(api, program, student(api, name))
    change(
        api,
        "setPartnerRole",
        "SetPartnerRoleInput",
        {
            "partnershipId": p,
            "organizationId": firm,
            "role": "Mentor provider",
            "commitments": ["Three engineers weekly"],
        },
    )
    change(
        api,
        "appointLiaison",
        "AppointLiaisonInput",
        {
            "partnershipId": p,
            "organizationId": firm,
            "name": "Sam Reyes",
            "email": "sam@ardent.example",
        },
    )
    for extra in (
        {"kind": "FUNDING", "value": "1000.50", "currency": "USD"},
        {"kind": "VOLUNTEER_HOURS", "hours": "12"},
        {"kind": "EQUIPMENT", "value": "250", "currency": "USD"},
    ):
        done = change(
            api,
            "recordContribution",
            "RecordContributionInput",
            {
                "partnershipId": p,
                "organizationId": firm,
                "description": "Support",
                "contributedOn": TODAY.isoformat(),
            }
            | extra,
        )
        assert done["__typename"] == "PartnershipUpdated", done
    last = change(
        api,
        "recordCheckIn",
        "RecordCheckInInput",
        {
            "partnershipId": p,
            "heldOn": (TODAY - timedelta(days=3)).isoformat(),
            "attendees": ["Ana", "Sam"],
            "decisions": ["Second club night"],
            "followUps": [{"action": "Book the lab", "owner": "Ana"}],
        },
    )

    view = api.data(PARTNERSHIP_VIEW, {"id": p, "at": last["position"], "asOf": TODAY.isoformat()})[
        "partnership"
    ]
    assert view["status"] == "ACTIVE"
    assert [h["change"] for h in view["history"]] == ["formed", "activated"]
    enrolment, confident = view["metrics"]
    # Five seats taken (the sixth student waits): the baseline, on the day it was set.
    assert (enrolment["current"], enrolment["progress"], enrolment["health"]) == (
        "5",
        0.0,
        "ON_TRACK",
    )
    assert (confident["current"], confident["health"]) == ("85", "MET")
    assert view["roles"][0]["organization"] == {"name": "Ardent Engineering"}
    assert view["liaisons"] == [{"name": "Sam Reyes", "email": "sam@ardent.example"}]
    assert view["checkIns"][0]["followUps"] == [
        {"action": "Book the lab", "owner": "Ana", "dueOn": None}
    ]
    health = view["health"]
    assert health["status"] == "ACTIVE"
    assert health["metricsMet"] == 1
    assert health["daysSinceLastCheckIn"] == 3
    assert health["activePrograms"] == [{"name": "Robotics Club"}]
    assert health["contributionsByPartner"] == [
        {
            "organization": {"name": "Ardent Engineering"},
            "currency": None,
            "value": "0",
            "hours": "12",
            "contributions": 1,
        },
        {
            "organization": {"name": "Ardent Engineering"},
            "currency": "USD",
            "value": "1250.50",
            "hours": "0",
            "contributions": 2,
        },
    ]


def test_bad_partnership_requests_are_refused_by_name_and_append_nothing(api):
    school, firm = org(api)["id"], org(api, "Ardent Engineering", "BUSINESS")["id"]
    p = api.data(PARTNERSHIP, {"input": {"name": "Robotics", "organizationIds": [school, firm]}})
    p = p["formPartnership"]["id"]
    before = api.event_count()
    gift = {
        "partnershipId": p,
        "organizationId": firm,
        "description": "Grant",
        "contributedOn": TODAY.isoformat(),
    }
    status = "ChangePartnershipStatusInput"
    cases = [
        (
            "recordContribution",
            "RecordContributionInput",
            gift | {"kind": "FUNDING"},
            "field",
            "value",
        ),
        (
            "recordContribution",
            "RecordContributionInput",
            gift | {"kind": "FUNDING", "value": "5", "currency": "dollars"},
            "field",
            "currency",
        ),
        (
            "recordContribution",
            "RecordContributionInput",
            gift | {"kind": "FUNDING", "value": "-5", "currency": "USD"},
            "field",
            "value",
        ),
        (
            "recordContribution",
            "RecordContributionInput",
            gift | {"kind": "SPACE", "organizationId": p},
            "rule",
            "ORGANISATION_NOT_A_PARTNER",
        ),
        (
            "suspendPartnership",
            status,
            {"partnershipId": firm, "reason": "x"},
            "field",
            "partnershipId",
        ),
        (
            "suspendPartnership",
            status,
            {"partnershipId": "not-a-uuid", "reason": "x"},
            "field",
            "partnershipId",
        ),
        ("suspendPartnership", status, {"partnershipId": p, "reason": " "}, "field", "reason"),
        (
            "activatePartnership",
            status,
            {"partnershipId": p, "reason": "again"},
            "rule",
            "PARTNERSHIP_STATUS",
        ),
        (
            "renewPartnership",
            "RenewPartnershipInput",
            {
                "partnershipId": p,
                "reason": "x",
                "termStartsOn": TODAY.isoformat(),
                "termEndsOn": TODAY.isoformat(),
            },
            "field",
            "termEndsOn",
        ),
        (
            "appointLiaison",
            "AppointLiaisonInput",
            {"partnershipId": p, "organizationId": firm, "name": "x" * 201},
            "field",
            "name",
        ),
        (
            "recordMetricValue",
            "RecordMetricValueInput",
            {"partnershipId": p, "metricId": firm, "value": "1", "recordedFor": TODAY.isoformat()},
            "rule",
            "UNKNOWN_METRIC",
        ),
    ]
    for mutation, input_type, data, key, expected in cases:
        result = change(api, mutation, input_type, data)
        assert result.get(key) == expected, (mutation, data, result)
    wrong_type = api.post(
        CHANGE % ("RecordMetricValueInput", "recordMetricValue"),
        {"input": {"partnershipId": p, "metricId": firm, "value": "lots", "recordedFor": "soon"}},
    )
    assert "errors" in wrong_type
    assert api.event_count() == before
