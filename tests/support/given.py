"""given(events) → when(command) → then(events | raises): the domain test idiom, for every
aggregate.

    history = started(Student.register(...))              # the events that created it
    events = when(history, lambda s: s.record_consent(...))  # only what the command records
    assert names(events) == ["GuardianConsentRecorded"]
    assert refused(history, lambda s: ...).rule == "CONSENT_IN_FUTURE"  # and nothing recorded

Histories are plain lists of events, so a test builds one up with `history += when(…)`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import pytest
from bridgework.domain.base import replay
from bridgework.domain.errors import RuleViolated
from bridgework.domain.mentor import Mentor
from bridgework.domain.partnership import Partnership
from bridgework.domain.program import Program, ProgramKind
from bridgework.domain.safeguarding import ClearanceResult

if TYPE_CHECKING:
    from collections.abc import Callable

    from bridgework.domain.base import BridgeworkAggregate

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def started(aggregate: BridgeworkAggregate) -> list[Any]:
    """The events a creation command (`Program.launch`, `Student.register`…) recorded."""
    return list(aggregate.collect_events())


def given(history: list[Any]) -> Any:
    """The aggregate `history` describes, folded as the store loads it."""
    aggregate = replay(history)
    assert aggregate is not None, "a history starts with the event that created it"
    return aggregate


def when(history: list[Any], command: Callable[[Any], object]) -> list[Any]:
    """Replay `history`, run `command` on it, and return only the events it recorded."""
    aggregate = given(history)
    command(aggregate)
    return list(aggregate.collect_events())


def refused(history: list[Any], command: Callable[[Any], object]) -> RuleViolated:
    """Run `command` on the aggregate of `history` (None for an empty one, to refuse a
    creation), check it breaks a rule and records nothing, and return the rule broken."""
    aggregate = replay(history)
    with pytest.raises(RuleViolated) as broken:
        command(aggregate)
    if aggregate is not None:
        assert aggregate.collect_events() == [], "a refused command records nothing"
    return broken.value


def names(events: list[Any]) -> list[str]:
    return [type(e).__name__ for e in events]


def launched(capacity: int = 2, name: str = "Robotics Club") -> list[Any]:
    """A club that runs from 1 March to 12 June 2026."""
    return started(
        Program.launch(
            id=uuid4(),
            partnership_id=uuid4(),
            organisation_ids=(),
            name=name,
            kind=ProgramKind.CLUB,
            capacity=capacity,
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 6, 12),
            at=AT,
        )
    )


def enrol(student_id: UUID, name: str = "Ana Lima") -> Callable[[Program], None]:
    return lambda p: p.enrol(student_id=student_id, student_name=name, at=AT)


def clearance(**check: Any) -> Callable[[Mentor], None]:
    """Record a clear enhanced background check done a month ago, valid for a year;
    `check` overrides any of its facts."""
    facts: dict[str, Any] = {
        "clearance_id": uuid4(),
        "check_type": "Enhanced background check",
        "provider": "Valley Screening",
        "result": ClearanceResult.CLEAR,
        "completed_on": AT.date() - timedelta(days=30),
        "expires_on": AT.date() + timedelta(days=365),
        "at": AT,
    }
    return lambda m: m.record_clearance(**(facts | check))


def mentor(name: str = "Dana Ortiz", capacity: int = 1) -> list[Any]:
    """A mentor with no background check yet."""
    return started(
        Mentor.register(id=uuid4(), name=name, organisation_id=uuid4(), capacity=capacity, at=AT)
    )


def cleared(name: str = "Dana Ortiz", capacity: int = 1, **check: Any) -> list[Any]:
    """A mentor with one background check on record (clear, unless `check` says otherwise)."""
    history = mentor(name, capacity)
    return history + when(history, clearance(**check))


SCHOOL, BUSINESS = uuid4(), uuid4()
"""The two partners of every `formed()` partnership."""


def formed(*, proposed: bool = False) -> list[Any]:
    """The Solar Futures partnership of a school and a business, active unless `proposed`."""
    return started(
        Partnership.form(
            id=uuid4(),
            name="Solar Futures",
            organisation_ids=(SCHOOL, BUSINESS),
            goals=("More girls in engineering",),
            at=AT,
            proposed=proposed,
        )
    )
