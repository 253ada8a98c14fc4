"""What every read model shares: the connection it writes on, the executor its queries take,
the one helper that groups views by an id for list-per-id dataloaders, and today's date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

V = TypeVar("V")

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from uuid import UUID

    import asyncpg
    from asyncpg.pool import PoolConnectionProxy

    # A connection, plain or from a pool: where projections apply events.
    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]


class Executor(Protocol):
    """What the query functions need: an asyncpg pool or connection."""

    async def fetch(self, query: str, *args: Any) -> list[Any]: ...


def grouped(views: Iterable[V], key: str | Callable[[V], UUID]) -> dict[UUID, list[V]]:
    """Views by an id, each list in the order given: what a list-per-id dataloader wants.
    `key` names the attribute holding the id (e.g. `student_id`), or finds it."""
    find = attrgetter(key) if isinstance(key, str) else key
    found: dict[UUID, list[V]] = {}
    for view in views:
        found.setdefault(find(view), []).append(view)
    return found


def today() -> date:
    """Today in UTC: the default `as of` of every read that takes one."""
    return datetime.now(UTC).date()
