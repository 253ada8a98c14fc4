"""The public contract: every stored type has a pinned public name, a schema with camelCase
fields, and a CloudEvents envelope that withholds personal data unless granted."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from uuid import UUID, uuid4

import msgspec
import pytest
from bridgework.domain.catalog import EVENT_TYPES
from bridgework.services.contract import (
    PUBLIC_NAMES,
    UnknownEventType,
    catalog,
    cloudevent,
    public_field,
    public_type,
)
from bridgework.services.ports import StoredEvent
from support.log import META as METADATA

# Written out by hand, not derived: a change here is a breaking change for integrations.
PINNED = {
    "directory": "OrganizationRegistered ProgramLaunched StudentRegistered StudentErased "
    "MentorRegistered",
    "partnerships": "PartnershipFormed ProgramAdded PartnershipActivated PartnershipSuspended "
    "PartnershipRenewed PartnershipConcluded PartnerRoleSet SuccessMetricDefined "
    "SuccessMetricRetired MetricValueRecorded LiaisonAppointed LiaisonStoodDown "
    "ContributionRecorded CheckInHeld",
    "applications": "ApplicationReceived ApplicationRefused ApplicationAccepted ApplicationDenied",
    "enrollment": "StudentEnrolled StudentWaitlisted StudentWithdrawn "
    "StudentPromotedFromWaitlist EnrollmentCompleted EligibilitySet",
    "attendance": "SessionScheduled AttendanceRecorded",
    "mentoring": "MentorMatchProposed MentorMatchDeclined MentorAssigned MentorMatchClosed "
    "MenteeTaken MenteeReleased MeetingLogged",
    "safeguarding": "GuardianConsentRecorded GuardianConsentWithdrawn ConsentRelied "
    "ClearanceRecorded",
    "achievements": "CredentialEarned PathwayRecorded",
    "surveys": "SurveyAnswered EvaluationRecorded",
    "outcomes": "ShowcaseRecorded",
    "impact": "DemographicsReported",
    "hours": "HoursSubmitted VerificationLinkIssued HoursVerified HoursDeclined HoursApproved "
    "HoursRejected",
}
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STUDENT = UUID("5e1f0c2a-0000-4000-8000-000000000001")
SCHOOL = UUID("5e1f0c2a-0000-4000-8000-000000000002")


def stored(event_type: str, payload: dict, *, version: int = 1, position: int = 42) -> StoredEvent:
    return StoredEvent(
        position=position,
        tx_id=7,
        event_id=uuid4(),
        stream_id=f"student-{STUDENT}",
        stream_version=1,
        event_type=event_type,
        schema_version=version,
        payload=msgspec.json.encode(payload),
        metadata_json=msgspec.json.encode(METADATA),
        recorded_at=AT,
    )


REGISTERED = {
    "timestamp": "2026-03-02T09:00:00+00:00",
    "name": "Maya Patel",
    "grade": 7,
    "school_id": str(SCHOOL),
    "date_of_birth": "2013-05-01",
}


def test_every_stored_type_has_exactly_its_pinned_public_type():
    assert set(PUBLIC_NAMES) == set(EVENT_TYPES)
    pinned = {f"bridgework.{area}.{n}" for area, names in PINNED.items() for n in names.split()}
    assert set(PUBLIC_NAMES.values()) == pinned
    assert len(pinned) == len(EVENT_TYPES)  # no two stored types share a public one
    assert PUBLIC_NAMES["OrganisationRegistered"] == "bridgework.directory.OrganizationRegistered"
    assert PUBLIC_NAMES["EnrolmentCompleted"] == "bridgework.enrollment.EnrollmentCompleted"


def test_public_names_and_fields_use_american_spelling_and_camel_case():
    assert public_field("organisation_ids") == "organizationIds"
    assert public_field("date_of_birth") == "dateOfBirth"
    for entry in catalog():
        assert not re.search("(?i)organis|enrolment", entry["type"])
        for definition in entry["schema"]["$defs"].values():  # nested objects' too
            for name in definition.get("properties", {}):
                assert re.fullmatch("[a-z][a-zA-Z0-9]*", name), (entry["type"], name)
                assert not re.search("(?i)organis|enrolment", name)


def test_the_catalog_gives_versions_personal_fields_and_a_schema_of_the_fields():
    by_type = {e["type"]: e for e in catalog()}
    student = by_type["bridgework.directory.StudentRegistered"]
    assert student["version"] == 2
    assert student["personal"] == ["dateOfBirth", "name"]
    definition = student["schema"]["$defs"]["StudentRegistered"]
    assert set(definition["properties"]) == {
        "timestamp",
        "name",
        "grade",
        "schoolId",
        "dateOfBirth",
    }
    assert definition["properties"]["schoolId"]["anyOf"][0] == {"type": "string", "format": "uuid"}
    assert by_type["bridgework.partnerships.PartnershipFormed"]["version"] == 2


def test_an_envelope_is_cloudevents_1_0_without_personal_data_unless_granted():
    e = stored("StudentRegistered", REGISTERED, version=2)
    envelope = cloudevent(e, source="/bridgework/lincoln")
    assert envelope == {
        "specversion": "1.0",
        "id": str(e.event_id),
        "source": "/bridgework/lincoln",
        "type": "bridgework.directory.StudentRegistered",
        "time": "2026-03-02T09:00:00Z",
        "subject": f"student-{STUDENT}",
        "datacontenttype": "application/json",
        "dataversion": 2,
        "sequence": "00000000000000000042",
        "correlationid": str(METADATA.correlation_id),
        "causationid": str(METADATA.causation_id),
        "data": {
            "timestamp": "2026-03-02T09:00:00+00:00",
            "name": None,
            "grade": 7,
            "schoolId": str(SCHOOL),
            "dateOfBirth": None,
        },
    }
    granted = cloudevent(e, source="/bridgework/lincoln", personal_data=True)["data"]
    assert (granted["name"], granted["dateOfBirth"]) == ("Maya Patel", "2013-05-01")
    # The data is what the published schema describes.
    msgspec.convert(granted, public_type("StudentRegistered").struct)


def test_objects_nested_in_the_data_are_renamed_as_the_schema_says():
    check_in = {
        "timestamp": REGISTERED["timestamp"],
        "check_in_id": str(STUDENT),
        "held_on": "2026-03-02",
        "attendees": ["Ana Lopez"],
        "notes": "Kick-off",
        "decisions": [],
        "follow_ups": [{"action": "Book the lab", "owner": "Ana", "due_on": "2026-03-09"}],
    }
    data = cloudevent(stored("CheckInHeld", check_in), source="/b", personal_data=True)["data"]
    assert data["checkInId"] == str(STUDENT)
    assert data["followUps"] == [{"action": "Book the lab", "owner": "Ana", "dueOn": "2026-03-09"}]
    follow_up = public_type("CheckInHeld").schema["$defs"]["FollowUp"]
    assert set(follow_up["properties"]) == {"action", "owner", "dueOn"}


def test_self_reported_demographics_are_withheld_even_from_a_granted_caller():
    e = stored("DemographicsReported", {"timestamp": REGISTERED["timestamp"], "answers": []})
    assert cloudevent(e, source="/b", personal_data=True)["data"]["answers"] is None


def test_old_versions_are_upcast_to_the_published_one():
    v1 = {k: v for k, v in REGISTERED.items() if k != "date_of_birth"}
    data = cloudevent(stored("StudentRegistered", v1), source="/b", personal_data=True)["data"]
    assert data["dateOfBirth"] is None
    msgspec.convert(data, public_type("StudentRegistered").struct)


def test_an_unknown_type_or_a_blank_source_is_refused_by_name():
    with pytest.raises(UnknownEventType, match="event_type: 'BadgeAwarded'"):
        cloudevent(stored("BadgeAwarded", {}), source="/b")
    with pytest.raises(ValueError, match="source"):
        cloudevent(stored("StudentRegistered", REGISTERED, version=2), source="")
