"""What every Bridgework aggregate shares.

Aggregates are `eventsourcing` aggregates. The library would read the clock and make
random ids; here both arrive with the command (`at`, `id`), so the domain stays pure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import Aggregate

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date
    from uuid import UUID

    from eventsourcing.domain import CanMutateAggregate


class BridgeworkAggregate(Aggregate):
    """Base aggregate: `STREAM` names the stream prefix, e.g. `program-<uuid>`."""

    STREAM: ClassVar[str]

    @classmethod
    def stream_id(cls, aggregate_id: UUID) -> str:
        return f"{cls.STREAM}-{aggregate_id}"


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
