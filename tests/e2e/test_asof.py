"""Against the real `serve` over a real socket with gql: a program's enrolment as the live
view showed it at a moment, served again by `asOf(position:)` and `asOf(at:)` after more
enrolments; bad arguments are refused naming them."""

from __future__ import annotations

import pytest
from gql.transport.exceptions import TransportQueryError
from support.api import ENROL, PROGRAM, STUDENT, program_input
from support.serve import form_partnership, payload, run

VIEW = """query($id: ID!) { program(id: $id) {
  enrollment { enrolled waitlisted entries { status student { name } } } } }"""
AS_OF_POSITION = """query($id: ID!, $position: Int) { asOf(position: $position) {
  program(id: $id) { enrollment { enrolled waitlisted entries { status student { name } } } } } }"""
AS_OF_TIME = """query($id: ID!, $at: DateTime) { asOf(at: $at) {
  program(id: $id) { enrollment { enrolled waitlisted entries { status student { name } } } } } }"""
RECORDED = """query($stream: String) {
  events(streamId: $stream) { edges { node { position recordedAt } } } }"""


async def test_a_past_enrolment_is_served_as_the_live_view_showed_it(server):
    async with server.http() as admin:
        partnership = await form_partnership(admin, "Juniper")
        details = program_input(partnership, capacity=1)
        program = (await payload(admin, PROGRAM, input=details))["id"]
        ana = (await payload(admin, STUDENT, name="Ana Juniper"))["id"]
        enrolled = await payload(admin, ENROL, input={"programId": program, "studentId": ana})
        at = enrolled["position"]
        then = (
            await run(
                admin,
                VIEW.replace("program(id: $id)", f"program(id: $id, atLeast: {at})"),
                id=program,
            )
        )["program"]
        events = (await run(admin, RECORDED, stream=f"program-{program}"))["events"]["edges"]
        moment = events[-1]["node"]
        assert moment["position"] == at
        bo = (await payload(admin, STUDENT, name="Bo Juniper"))["id"]
        later = await payload(admin, ENROL, input={"programId": program, "studentId": bo})
        now = (
            await run(
                admin,
                VIEW.replace("program(id: $id)", f"program(id: $id, atLeast: {later['position']})"),
                id=program,
            )
        )["program"]
        assert now["enrollment"]["waitlisted"] == 1
        assert then["enrollment"] == {
            "enrolled": 1,
            "waitlisted": 0,
            "entries": [{"status": "ENROLLED", "student": {"name": "Ana Juniper"}}],
        }
        by_position = await run(admin, AS_OF_POSITION, id=program, position=at)
        assert by_position["asOf"]["program"] == then
        by_time = await run(admin, AS_OF_TIME, id=program, at=moment["recordedAt"])
        assert by_time["asOf"]["program"] == then
        with pytest.raises(TransportQueryError) as refused:
            await run(admin, AS_OF_POSITION, id=program, position=-1)
        [error] = refused.value.errors or []
        assert error["extensions"]["field"] == "position"
        assert error["message"].startswith("position: ")
