"""Commands run by their type through the one `dispatch`, on the memory store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.services.applications import AcceptApplication, ApplyToProgram
from bridgework.services.areas import dispatch
from bridgework.services.command import parse
from bridgework.services.directory import (
    LaunchProgram,
    RegisterOrganization,
    RegisterStudent,
)
from bridgework.services.enrolment import EnrollStudent, WithdrawStudent
from bridgework.services.errors import NotFound
from bridgework.services.partnerships.lifecycle import FormPartnership
from support.context import staff
from support.log import count_events

TODAY = datetime.now(UTC).date()


async def event_types(store, stream_id: str) -> list[str]:
    return [e.event_type for e in await store.load(stream_id)]


async def a_one_seat_program(deps):
    orgs = [
        (await dispatch(deps, staff(), RegisterOrganization(name=name, kind=kind))).id
        for name, kind in (("Lincoln Middle", "school"), ("Ardent", "business"))
    ]
    formed = FormPartnership(name="Robotics", organization_ids=orgs)
    partnership = (await dispatch(deps, staff(), formed)).id
    launch = parse(
        LaunchProgram,
        {
            "partnership_id": str(partnership),
            "name": "Robotics Club",
            "kind": "club",
            "capacity": 1,
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + timedelta(days=60)).isoformat(),
        },
    )
    return (await dispatch(deps, staff(), launch)).id


async def a_student(deps, name: str, born: date | None = date(2000, 1, 1)):
    registered = RegisterStudent(name=name, date_of_birth=born)
    return (await dispatch(deps, staff(), registered)).id


async def test_dispatch_runs_each_command_by_its_type_from_partnership_to_waitlist(deps, store):
    program = await a_one_seat_program(deps)
    ana, bo = await a_student(deps, "Ana Lima"), await a_student(deps, "Bo Chen")

    seated = await dispatch(deps, staff(), EnrollStudent(program_id=program, student_id=ana))
    waiting = await dispatch(deps, staff(), EnrollStudent(program_id=program, student_id=bo))
    withdrawn = await dispatch(
        deps, staff(), WithdrawStudent(program_id=program, student_id=ana, reason="Moved")
    )

    assert (seated.status, seated.message) == (
        "ENROLLED",
        "Ana Lima is enrolled in 'Robotics Club'",
    )
    assert (waiting.status, waiting.message) == (
        "WAITLISTED",
        "Program 'Robotics Club' is full: 1 of 1 seats taken; Bo Chen is 1st on the waitlist",
    )
    assert withdrawn.status == "WITHDRAWN"
    assert seated.position < waiting.position < withdrawn.position
    assert await event_types(store, f"program-{program}") == [
        "ProgramLaunched",
        "StudentEnrolled",
        "StudentWaitlisted",
        "StudentWithdrawn",
        "StudentPromotedFromWaitlist",
    ]


async def test_an_accepted_application_and_a_direct_enrolment_pass_the_same_consent_gate(
    deps, store
):
    program = await a_one_seat_program(deps)
    minor = await a_student(deps, "Cy Park", born=None)
    applied = await dispatch(deps, staff(), ApplyToProgram(program_id=program, student_id=minor))
    before = await count_events(store)

    with pytest.raises(RuleViolated) as enrolling:
        await dispatch(deps, staff(), EnrollStudent(program_id=program, student_id=minor))
    with pytest.raises(RuleViolated) as accepting:
        await dispatch(deps, staff(), AcceptApplication(program_id=program, student_id=minor))

    expected = (
        "Cy Park has no date of birth on record: a guardian's consent for this program (or a "
        "standing consent) must be recorded first"
    )
    assert applied.status == "APPLIED"
    assert (enrolling.value.rule, enrolling.value.message) == ("CONSENT_MISSING", expected)
    assert (accepting.value.rule, accepting.value.message) == ("CONSENT_MISSING", expected)
    assert await count_events(store) == before


async def test_a_dispatched_command_naming_an_unknown_program_names_the_field_and_changes_nothing(
    deps, store
):
    student = await a_student(deps, "Ana Lima")
    before = await count_events(store)
    missing = uuid4()

    with pytest.raises(NotFound) as refused:
        await dispatch(deps, staff(), EnrollStudent(program_id=missing, student_id=student))

    assert (refused.value.field, refused.value.message) == (
        "programId",
        f"No program with id {missing}",
    )
    assert await count_events(store) == before
