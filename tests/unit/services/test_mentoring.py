"""Mentor matches through the handlers, on the memory store. Their life in the views:
`tests/integration/test_mentor_matches.py`."""

from __future__ import annotations

import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.services.command.base import parse
from bridgework.services.directory import RegisterMentor, register_mentor
from bridgework.services.errors import InvalidInput
from bridgework.services.mentoring import (
    AssignMentor,
    DeclineMentorMatch,
    ProposeMentorMatch,
    assign_mentor,
    propose_mentor_match,
)
from support.context import staff
from support.scenario import a_program, cleared_mentor, enrol, students


async def test_a_match_is_proposed_only_to_a_cleared_mentor_with_room(deps, store):
    program, orgs, _ = await a_program(deps, capacity=4)
    ana, bo = await students(deps, 2)
    for kid in (ana, bo):
        await enrol(deps, program, kid)
    full = (await cleared_mentor(deps, orgs[1], capacity=1)).id
    await assign_mentor(
        deps, staff(), AssignMentor(program_id=program, student_id=ana, mentor_id=full)
    )
    unchecked = await register_mentor(
        deps, staff(), RegisterMentor(name="New Volunteer", organization_id=orgs[1])
    )
    before = await store.head()
    for mentor, rule in ((full, "MENTOR_AT_CAPACITY"), (unchecked.id, "CLEARANCE_MISSING")):
        with pytest.raises(RuleViolated) as refused:
            await propose_mentor_match(
                deps,
                staff(),
                ProposeMentorMatch(program_id=program, student_id=bo, mentor_id=mentor),
            )
        assert refused.value.rule == rule
    with pytest.raises(InvalidInput) as bad:
        parse(DeclineMentorMatch, {"program_id": str(program), "student_id": str(bo), "reason": ""})
    assert bad.value.field == "reason"
    assert await store.head() == before
