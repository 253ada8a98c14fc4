"""Snapshots hold an aggregate's state exactly, and nothing else ever comes out of one."""

from __future__ import annotations

import os
import pickle
import uuid
from datetime import UTC, datetime, timedelta

import msgspec
from bridgework.domain.program import Program, ProgramKind
from bridgework.domain.student import Student
from bridgework.services import snapshots

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def a_program_with_students(n: int) -> Program:
    program = Program.launch(
        id=uuid.uuid4(),
        partnership_id=uuid.uuid4(),
        organisation_ids=(),
        name="Robotics Club",
        kind=ProgramKind.CLUB,
        capacity=2,
        starts_on=NOW.date(),
        ends_on=NOW.date() + timedelta(days=60),
        at=NOW,
    )
    for _ in range(n):
        program.enrol(student_id=uuid.uuid4(), student_name="A student", at=NOW)
    program.collect_events()
    return program


def test_a_snapshot_restores_the_aggregate_it_was_taken_of():
    program = a_program_with_students(3)  # two seats, one on the waitlist
    restored = snapshots.restore(snapshots.take(Program.stream_id(program.id), program))
    assert isinstance(restored, Program)
    assert vars(restored) == vars(program)
    assert restored.waitlist == program.waitlist
    assert len(restored.waitlist) == 1


def test_a_snapshot_of_another_layout_or_class_is_ignored():
    program = a_program_with_students(1)
    taken = snapshots.take(Program.stream_id(program.id), program)
    assert snapshots.restore(msgspec.structs.replace(taken, layout="older")) is None
    elsewhere = msgspec.structs.replace(taken, topic="collections:OrderedDict")
    assert snapshots.restore(elsewhere) is None
    assert snapshots.layout(Program) != snapshots.layout(Student)


def hostile_reduce(module: str, name: str, argument: str) -> bytes:
    """A pickle that calls `module.name(argument)` while it loads."""
    return (
        b"\x80\x04c"
        + module.encode()
        + b"\n"
        + name.encode()
        + b"\n"
        + pickle.dumps((argument,), protocol=0)[:-1]
        + b"R."
    )


def test_a_snapshot_never_builds_anything_but_domain_state():
    program = a_program_with_students(1)
    taken = snapshots.take(Program.stream_id(program.id), program)
    hostile = [
        pickle.dumps({"_version": 2, "run": os.system}),
        hostile_reduce("bridgework.domain.base", "replay.__builtins__.get", "eval"),
        hostile_reduce("bridgework.domain.base", "ordinal", "1"),  # a domain function
        hostile_reduce("bridgework.domain.program", "Aggregate", "1"),  # an imported name
    ]
    for state in hostile:
        assert snapshots.restore(msgspec.structs.replace(taken, state=state)) is None
