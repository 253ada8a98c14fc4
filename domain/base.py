"""What every Bridgework aggregate shares.

Aggregates are `eventsourcing` aggregates. The library would read the clock and make
random ids; here both arrive with the command (`at`, `id`), so the domain stays pure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import (
    Aggregate,
    BaseAggregate,
    CanMutateAggregate,
    CommandMethodDecorator,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date
    from uuid import UUID


class BridgeworkAggregate(Aggregate):
    """Base aggregate: `STREAM` names the stream prefix, e.g. `program-<uuid>`."""

    STREAM: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        _adopt_concepts(cls)
        super().__init_subclass__(**kwargs)

    @classmethod
    def stream_id(cls, aggregate_id: UUID) -> str:
        return f"{cls.STREAM}-{aggregate_id}"

    @property
    def scope(self) -> tuple[UUID, ...]:
        """The organisations whose staff may see and change this record (its school, its
        partnership's members…), recorded on each of its events as they are appended so the
        log is filtered by organisation in SQL; empty: the deployment's own staff only."""
        return ()


def _adopt_concepts(cls: type[BridgeworkAggregate]) -> None:
    """Give an aggregate the events and `@event` methods of its concept mixins.

    A big aggregate is written as plain mixin classes, one per concept, each holding its
    events, its decisions and the private `@event` methods beside them, combined into one
    aggregate class. The library's `MetaAggregate` only looks at the aggregate's own class
    dict: an `@event` method left on a mixin is never registered (calling it raises "Event
    class not registered"). So, before the library runs, every event class and `@event`
    method of a mixin is set on the aggregate itself, exactly as if it were written in its
    body: the events are then defined as `Program.StudentEnrolled` in the aggregate's
    module, with the same names and topics as before the split.
    """
    for mixin in cls.__mro__[1:]:  # the nearest mixin wins, as in attribute lookup
        if issubclass(mixin, BaseAggregate) or mixin in Aggregate.__mro__:
            continue
        for name, value in vars(mixin).items():
            is_event = (
                isinstance(value, type)
                and issubclass(value, CanMutateAggregate)
                and name[0].isupper()
            )
            if (is_event or isinstance(value, CommandMethodDecorator)) and name not in vars(cls):
                setattr(cls, name, value)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st… for messages people read."""
    if 10 <= n % 100 <= 20:  # noqa: PLR2004 - the teens are all "th"
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def day(d: date) -> str:
    """A date the way a coordinator writes it: 12 June 2026."""
    return f"{d.day} {d:%B %Y}"


def replay(events: Iterable[CanMutateAggregate[Any]]) -> BridgeworkAggregate | None:
    """Fold events into the aggregate they describe (None for no events).

    The library's `project_aggregate` does the same but checks each event against a
    runtime protocol, which costs more than the fold itself.
    """
    aggregate: Any = None
    for e in events:
        aggregate = e.mutate(aggregate)
    folded: BridgeworkAggregate | None = aggregate
    return folded
