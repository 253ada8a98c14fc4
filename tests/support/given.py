"""given(events) → when(command) → then(events): the domain test idiom."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from bridgework.domain.base import replay
from bridgework.domain.program import Program, ProgramKind

if TYPE_CHECKING:
    from collections.abc import Callable

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def launched(capacity: int = 2, name: str = "Robotics Club") -> list[Any]:
    program = Program.launch(
        id=uuid4(),
        partnership_id=uuid4(),
        name=name,
        kind=ProgramKind.CLUB,
        capacity=capacity,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 6, 12),
        at=AT,
    )
    return list(program.collect_events())


def given(history: list[Any]) -> Program:
    program = replay(history)
    assert isinstance(program, Program)
    return program


def when(history: list[Any], command: Callable[[Program], None]) -> list[Any]:
    """Replay `history`, run `command` on it, and return only the events it recorded."""
    program = given(history)
    command(program)
    return list(program.collect_events())


def names(events: list[Any]) -> list[str]:
    return [type(e).__name__ for e in events]


def enrol(student_id: UUID, name: str = "Ana Lima") -> Callable[[Program], None]:
    return lambda p: p.enrol(student_id=student_id, student_name=name, at=AT)
