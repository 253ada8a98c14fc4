"""Group commit on the real store: a group that another process overtakes is decided again
and lands whole, each command once, in order."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from bridgework.domain.base import replay
from bridgework.domain.program import Program
from bridgework.services.enrolment import EnrollStudent, enroll_student
from support.context import staff
from support.scenario import a_program, enrol, students


class OvertakenOnce:
    """This process's store, whose first group append is overtaken by another process
    enrolling a student into the same program (on its own pool and cache)."""

    def __init__(self, store, other, program, student) -> None:
        self.store, self.other, self.program, self.student = store, other, program, student
        self.groups: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    async def append_group(self, group):
        self.groups.append(len(group))
        if len(self.groups) == 1:
            await enrol(self.other, self.program, self.student)
        return await self.store.append_group(group)


async def test_a_group_overtaken_by_another_process_is_decided_again_and_lands_whole(
    deps, other_process, pool
):
    program, _, _ = await a_program(deps, capacity=50)
    kids = await students(deps, 9)
    await enrol(deps, program, kids[0])  # cached here
    racing = OvertakenOnce(deps.store, other_process, program, kids[1])
    here = msgspec.structs.replace(deps, store=racing)

    results = await asyncio.gather(
        *(
            enroll_student(here, staff(f"key-{k}"), EnrollStudent(program_id=program, student_id=k))
            for k in kids[2:]
        )
    )

    assert racing.groups[0] > 1, "commands queued behind the first were decided with it"
    assert deps.store.stats.version_conflicts >= 1
    assert len(racing.groups) >= 2, "the conflict was retried"
    rows = await pool.fetch(
        "SELECT position, stream_version, payload::text FROM events WHERE stream_id = $1"
        " ORDER BY stream_version",
        Program.stream_id(program),
    )
    assert [r[1] for r in rows] == list(range(1, 11))  # launch + 9 enrolments, no gap
    assert sum(str(kids[1]) in r[2] for r in rows) == 1  # the other process's, once
    for kid, result in zip(kids[2:], results, strict=True):
        (mine,) = [r for r in rows if str(kid) in r[2]]
        assert result.position == mine[0]
        record = await deps.store.find_command(f"{staff().actor.id}:key-{kid}")
        assert record is not None
        assert record.position == result.position
    folded = replay(
        [deps.codec.decode(e) for e in await deps.store.load(Program.stream_id(program))]
    )
    assert isinstance(folded, Program)
    assert sorted(folded.enrolled) == sorted(kids)
    assert not deps.streams.locks  # every lock released, every queue empty
