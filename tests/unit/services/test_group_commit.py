"""Group commit on the memory store: commands queued on one stream are decided in turn by
the one holding it and land in one transaction, each with its own result and record.

A conflict from another process, on the real store, is in
`tests/integration/test_group_commit.py`."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import msgspec
from bridgework.domain.errors import RuleViolated
from bridgework.domain.program import Program
from bridgework.services.enrolment import EnrollStudent, enroll_student
from bridgework.services.errors import Conflict, InvalidInput, NotFound
from bridgework.services.unit_of_work import CommandResult, execute
from support.context import staff
from support.log import read_all
from support.scenario import a_program, students


def enrolling(deps, program, student, key=None):
    cmd = EnrollStudent(program_id=program, student_id=student)
    return enroll_student(deps, staff(key), cmd)


async def test_concurrent_commands_on_one_stream_land_in_one_transaction_with_their_own_results(
    deps, store
):
    program, _, _ = await a_program(deps, capacity=20)
    pupils = await students(deps, 12)
    before = len(await read_all(store))

    results = await asyncio.gather(
        *(enrolling(deps, program, s, key=f"k-{i}") for i, s in enumerate(pupils))
    )

    log = (await read_all(store))[before:]
    assert len(log) == 12
    assert len({e.tx_id for e in log}) == 1, "the twelve enrolments were one append"
    assert [e.stream_version for e in log] == list(
        range(log[0].stream_version, log[0].stream_version + 12)
    )
    # Each caller gets its own answer: the position of its own event, its own student.
    by_position = {e.position: e for e in log}
    assert sorted(r.position for r in results) == [e.position for e in log]
    for pupil, result in zip(pupils, results, strict=True):
        assert str(pupil) in by_position[result.position].payload.decode()
        assert result.message == f"Student {pupils.index(pupil)} is enrolled in 'Robotics Club'"
        key = by_position[result.position].metadata.command_id
        record = await store.find_command(f"{staff().actor.id}:{key}")
        assert record is not None
        assert record.position == result.position
    commands = {e.metadata.causation_id for e in log}
    assert len(commands) == 12, "each event keeps its own command's metadata"


async def test_a_command_sent_without_an_idempotency_key_keeps_no_record(deps, store):
    program, _, _ = await a_program(deps, capacity=20)
    [pupil] = await students(deps, 1)
    result = await enrolling(deps, program, pupil)
    [event] = (await read_all(store))[-1:]
    assert event.position == result.position
    assert await store.find_command(event.metadata.command_id) is None


async def test_a_command_that_fails_its_rule_in_a_group_fails_alone(deps, store):
    program, _, _ = await a_program(deps, capacity=2)
    pupils = await students(deps, 4)
    before = len(await read_all(store))

    outcomes = await asyncio.gather(
        enrolling(deps, program, pupils[0]),
        enrolling(deps, program, pupils[1]),
        enrolling(deps, program, uuid4()),  # no such student
        enrolling(deps, program, pupils[1]),  # already enrolled, by the one before
        enrolling(deps, program, pupils[2]),  # the program is full: waitlisted
        return_exceptions=True,
    )

    assert isinstance(outcomes[2], NotFound)
    assert outcomes[2].field == "studentId"
    assert isinstance(outcomes[3], RuleViolated)
    assert [o.status for o in (outcomes[0], outcomes[1], outcomes[4])] == [
        "ENROLLED",
        "ENROLLED",
        "WAITLISTED",
    ]
    log = (await read_all(store))[before:]
    assert len(log) == 3
    assert len({e.tx_id for e in log}) == 1
    assert [o.position for o in (outcomes[0], outcomes[1], outcomes[4])] == [
        e.position for e in log
    ]


async def test_a_key_sent_twice_inside_a_group_gets_the_first_result(deps, store):
    program, _, _ = await a_program(deps, capacity=5)
    pupils = await students(deps, 3)
    before = len(await read_all(store))

    first, other, again, misused = await asyncio.gather(
        enrolling(deps, program, pupils[0], key="enrol-0"),
        enrolling(deps, program, pupils[1]),
        enrolling(deps, program, pupils[0], key="enrol-0"),
        enrolling(deps, program, pupils[2], key="enrol-0"),  # the same key, another request
        return_exceptions=True,
    )

    assert msgspec.structs.asdict(again) == msgspec.structs.asdict(first)
    assert isinstance(misused, Conflict)
    log = (await read_all(store))[before:]
    assert len(log) == 2
    assert len({e.tx_id for e in log}) == 1
    assert {first.position, other.position} == {e.position for e in log}
    # Sent once more, later, alone: the record answers.
    later = await enrolling(deps, program, pupils[0], key="enrol-0")
    assert msgspec.structs.asdict(later) == msgspec.structs.asdict(first)
    assert len(await read_all(store)) == before + 2


async def test_a_command_failing_after_it_changed_the_aggregate_leaves_no_trace(deps, store):
    """It ends its group before it: the others commit without it, nothing it changed is
    cached, and it is decided again, alone, by the next holder."""
    program_id, _, _ = await a_program(deps, capacity=10)
    pupils = await students(deps, 4)
    tried = []

    def enrol(student, *, fail=False):
        async def decide(s) -> CommandResult:
            program = await s.get(Program, program_id, "programId")
            program.enrol(student_id=student, student_name="A student", at=s.now)
            if fail:
                tried.append(program.version)
                raise InvalidInput("studentId", "refused after deciding")
            return CommandResult(id=program_id)

        cmd = EnrollStudent(program_id=program_id, student_id=student)
        return execute(deps, staff(), cmd, decide)

    outcomes = await asyncio.gather(
        enrol(pupils[0]),
        enrol(pupils[1]),
        enrol(pupils[2], fail=True),
        enrol(pupils[3]),
        return_exceptions=True,
    )

    assert isinstance(outcomes[2], InvalidInput)
    assert len(tried) == 2, "decided in the group, then again on its own"
    assert all(isinstance(o, CommandResult) for o in (outcomes[0], outcomes[1], outcomes[3]))
    program = await deps.store.load(Program.stream_id(program_id))
    enrolled = [e for e in program if e.event_type.endswith("StudentEnrolled")]
    assert len(enrolled) == 3
    assert str(pupils[2]) not in b"".join(e.payload for e in enrolled).decode()
    # The next command sees exactly the log: pupil 2 is not enrolled.
    again = await enrolling(deps, program_id, pupils[2])
    assert again.status == "ENROLLED"


class HeldAppend:
    """The memory store, whose group appends wait until `go` is set."""

    def __init__(self, store) -> None:
        self.store, self.go, self.waiting = store, asyncio.Event(), asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    async def append_group(self, group):
        self.waiting.set()
        await self.go.wait()
        return await self.store.append_group(group)


async def test_the_queued_commands_get_their_answers_when_the_holders_caller_goes_away(deps, store):
    program, _, _ = await a_program(deps, capacity=10)
    pupils = await students(deps, 4)
    held = HeldAppend(store)
    slow = msgspec.structs.replace(deps, store=held)
    tasks = [asyncio.create_task(enrolling(slow, program, p)) for p in pupils]
    await held.waiting.wait()  # the first holds the stream, the others are in its group

    tasks[0].cancel()  # its caller goes away while the group's append is in flight
    held.go.set()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)

    assert isinstance(outcomes[0], asyncio.CancelledError)
    assert [o.status for o in outcomes[1:]] == ["ENROLLED"] * 3
    enrolments = await store.load(Program.stream_id(program))
    assert sum(str(p) in e.payload.decode() for p in pupils for e in enrolments) == 4
    assert not deps.streams.locks  # released once the append ended
    assert (await enrolling(deps, program, (await students(deps, 1))[0])).status == "ENROLLED"
