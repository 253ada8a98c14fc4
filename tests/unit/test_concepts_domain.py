"""An aggregate written as concept mixins is still one aggregate: its events are its own,
with the names and topics stored history is decoded by (see `base._adopt_concepts`)."""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 - event annotations are read at runtime
from uuid import uuid4

import pytest
from bridgework.domain.base import BridgeworkAggregate, replay
from bridgework.domain.catalog import AGGREGATE_OF, AGGREGATES, EVENT_TYPES
from eventsourcing.domain import Aggregate, CanMutateAggregate, event
from eventsourcing.utils import get_topic
from support.given import AT


def test_every_event_is_defined_on_its_aggregate_under_its_stored_name():
    for name, cls in EVENT_TYPES.items():
        aggregate = AGGREGATE_OF[cls]
        assert cls.__qualname__ == f"{aggregate.__name__}.{name}"
        assert get_topic(cls) == f"{aggregate.__module__}:{aggregate.__name__}.{name}"
        assert getattr(aggregate, name) is cls


def test_every_event_a_concept_mixin_declares_belongs_to_the_aggregate_it_is_mixed_into():
    for aggregate in AGGREGATES:
        mixins = [m for m in aggregate.__mro__ if not issubclass(m, Aggregate)]
        declared = {
            name
            for mixin in mixins
            for name, value in vars(mixin).items()
            if isinstance(value, type) and issubclass(value, CanMutateAggregate)
        }
        assert all(AGGREGATE_OF[EVENT_TYPES[name]] is aggregate for name in declared), aggregate
    assert {"StudentEnrolled", "MentorAssigned", "SurveyAnswered", "CheckInHeld"} <= set(
        EVENT_TYPES
    )


class Counting:
    """A concept mixin: its event and its `@event` method, as Program's mixins have."""

    count: int

    class Counted(Aggregate.Event):
        by: int

    def add(self, by: int, at: datetime) -> None:
        self._count(by=by, timestamp=at)

    @event(Counted)
    def _count(self, by: int, timestamp: datetime) -> None:
        self.count += by


class Tally(Counting, BridgeworkAggregate):
    STREAM = "tally"

    @event("TallyStarted")
    def __init__(self) -> None:
        self.count = 0


def test_a_mixins_event_methods_record_and_replay_on_the_aggregate():
    tally = Tally._create(Tally.TallyStarted, id=uuid4(), timestamp=AT)
    tally.add(2, AT)
    tally.add(3, AT)
    events = tally.collect_events()
    assert [type(e).__qualname__ for e in events] == [
        "Tally.TallyStarted",
        "Tally.Counted",
        "Tally.Counted",
    ]
    again = replay(events)
    assert isinstance(again, Tally)
    assert again.count == 5


class Doubling:
    class Doubled(Aggregate.Event):
        pass

    @event(Doubled)
    def double(self) -> None:
        pass


class Untouched(Doubling, Aggregate):
    """Without `BridgeworkAggregate` the library never sees a mixin's `@event` method."""


def test_the_library_alone_ignores_event_methods_on_a_mixin():
    with pytest.raises(KeyError, match="Event class not registered"):
        Untouched().double()
