"""Command handlers on the memory store: metadata, idempotency, errors that change nothing.

That a retried key's answer survives on the real store is in `tests/contract/`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.services.command.base import parse
from bridgework.services.context import Role
from bridgework.services.directory import (
    LaunchProgram,
    RegisterOrganization,
    RegisterStudent,
    launch_program,
    register_organization,
    register_student,
)
from bridgework.services.enrolment import EnrollStudent, enroll_student
from bridgework.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from bridgework.services.partnerships.lifecycle import FormPartnership, form_partnership
from support.context import as_actor, staff
from support.log import count_events
from support.scenario import ADULT

TODAY = datetime.now(UTC).date()


async def school_and_business(deps):
    school = await register_organization(
        deps,
        staff(),
        parse(RegisterOrganization, {"name": "Ridgeview", "kind": "school"}),
    )
    firm = await register_organization(
        deps, staff(), RegisterOrganization(name="Ardent", kind="business")
    )
    return school.id, firm.id


async def a_program(deps, capacity: int = 2):
    school, firm = await school_and_business(deps)
    partnership = await form_partnership(
        deps, staff(), FormPartnership(name="Robotics", organization_ids=[school, firm])
    )
    program = await launch_program(
        deps,
        staff(),
        LaunchProgram(
            partnership_id=partnership.id,
            name="Robotics Club",
            kind="club",
            capacity=capacity,
            starts_on=TODAY,
            ends_on=TODAY + timedelta(days=90),
        ),
    )
    return program.id, school


async def a_student(deps, name: str = "Ana Lima"):
    return (
        await register_student(deps, staff(), RegisterStudent(name=name, date_of_birth=ADULT))
    ).id


async def test_every_event_records_who_why_and_which_command(deps, store):
    ctx = staff()
    result = await register_organization(
        deps, ctx, RegisterOrganization(name="Ridgeview", kind="school")
    )
    [stored] = await store.load(f"organisation-{result.id}")
    assert stored.position == result.position
    assert stored.metadata.actor == "administrator:test-administrator"
    assert stored.metadata.correlation_id == ctx.correlation_id
    assert stored.metadata.causation_id == ctx.command_uuid
    assert stored.metadata.command == "RegisterOrganization"
    assert stored.event_type == "OrganisationRegistered"


async def test_enrolment_past_capacity_waitlists_with_a_message(deps):
    program, _ = await a_program(deps, capacity=1)
    first = await enroll_student(
        deps, staff(), EnrollStudent(program_id=program, student_id=await a_student(deps))
    )
    second = await enroll_student(
        deps,
        staff(),
        EnrollStudent(program_id=program, student_id=await a_student(deps, "Bo Chen")),
    )
    assert (first.status, second.status) == ("ENROLLED", "WAITLISTED")
    assert second.message == (
        "Program 'Robotics Club' is full: 1 of 1 seats taken; Bo Chen is 1st on the waitlist"
    )
    assert second.position > first.position


async def test_a_retried_command_returns_the_first_result_and_appends_nothing(deps, store):
    program, _ = await a_program(deps)
    student = await a_student(deps)
    cmd = EnrollStudent(program_id=program, student_id=student)
    first = await enroll_student(deps, staff("enrol-ana"), cmd)
    before = await count_events(store)
    again = await enroll_student(deps, staff("enrol-ana"), cmd)
    assert again == first
    assert await count_events(store) == before


async def test_concurrent_retries_with_one_key_act_once(deps, store):
    cmd = RegisterOrganization(name="Bytewave", kind="business")
    results = await asyncio.gather(
        *(register_organization(deps, staff("bytewave"), cmd) for _ in range(8))
    )
    assert len({r.id for r in results}) == 1
    assert await count_events(store) == 1


async def test_an_idempotency_key_is_the_callers_own(deps, store):
    cmd = RegisterOrganization(name="Bytewave", kind="business")
    mine = await register_organization(deps, staff("same-key"), cmd)
    theirs = await register_organization(
        deps, as_actor(Role.ADMINISTRATOR, "same-key", "another"), cmd
    )
    assert theirs.id != mine.id  # another caller's key never returns my result
    again = await register_organization(deps, staff("same-key"), cmd)
    assert again.id == mine.id
    assert await count_events(store) == 2


async def test_reusing_a_key_for_a_different_request_is_a_conflict(deps, store):
    await register_organization(deps, staff("k"), RegisterOrganization(name="A", kind="school"))
    with pytest.raises(Conflict, match="already used for a different request"):
        await register_organization(deps, staff("k"), RegisterOrganization(name="B", kind="school"))
    assert await count_events(store) == 1


async def test_an_unknown_id_is_not_found_naming_the_field(deps, store):
    school, _ = await school_and_business(deps)
    before = await count_events(store)
    missing = uuid4()
    with pytest.raises(NotFound) as caught:
        await form_partnership(
            deps, staff(), FormPartnership(name="P", organization_ids=[school, missing])
        )
    assert caught.value.field == "organizationIds[1]"
    assert str(missing) in caught.value.message
    assert await count_events(store) == before


async def test_an_id_of_the_wrong_kind_is_not_found(deps, store):
    school, _ = await school_and_business(deps)
    with pytest.raises(NotFound) as caught:
        await enroll_student(deps, staff(), EnrollStudent(program_id=school, student_id=uuid4()))
    assert caught.value.field == "programId"


@pytest.mark.parametrize(
    "role", [r for r in Role if r not in {Role.COORDINATOR, Role.ADMINISTRATOR}]
)
async def test_only_coordinators_may_change_program_data(deps, store, role):
    with pytest.raises(Forbidden):
        await register_organization(
            deps, as_actor(role), RegisterOrganization(name="A", kind="school")
        )
    assert await count_events(store) == 0


async def test_the_administrator_may_do_what_a_coordinator_may(deps, store):
    await register_organization(
        deps, as_actor(Role.ADMINISTRATOR), RegisterOrganization(name="A", kind="school")
    )
    assert await count_events(store) == 1


async def test_a_rule_violation_appends_nothing(deps, store):
    program, _ = await a_program(deps)
    student = await a_student(deps)
    await enroll_student(deps, staff(), EnrollStudent(program_id=program, student_id=student))
    before = await count_events(store)
    with pytest.raises(RuleViolated) as caught:
        await enroll_student(deps, staff(), EnrollStudent(program_id=program, student_id=student))
    assert caught.value.rule == "ALREADY_ENROLLED"
    assert await count_events(store) == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": " ", "kind": "school"}, "name"),
        ({"name": "x" * 201, "kind": "school"}, "name"),
        ({"name": "A", "kind": "castle"}, "kind"),
        ({"name": 7, "kind": "school"}, "name"),
        ({"kind": "school"}, "name"),
        ({"name": "A", "kind": "school", "colour": "red"}, "colour"),
    ],
)
def test_malformed_commands_name_the_field(data, field):
    with pytest.raises(InvalidInput) as caught:
        parse(RegisterOrganization, data)
    assert caught.value.field == field
    assert field in caught.value.message


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"capacity": 10_001}, "capacity"),
        ({"capacity": "ten"}, "capacity"),
        ({"ends_on": "2026-01-01"}, "endsOn"),
        ({"starts_on": "not a date"}, "startsOn"),
        ({"partnership_id": "not-a-uuid"}, "partnershipId"),
    ],
)
def test_malformed_programs_name_the_field(data, field):
    good = {
        "partnership_id": str(uuid4()),
        "name": "Robotics Club",
        "kind": "club",
        "capacity": 24,
        "starts_on": "2026-03-01",
        "ends_on": "2026-06-12",
    }
    with pytest.raises(InvalidInput) as caught:
        parse(LaunchProgram, good | data)
    assert caught.value.field == field
