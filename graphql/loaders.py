"""DataLoaders by id, declared once beside the area that reads them and made lazily, one
per request, the first time a resolver asks: a page of programs costs one query per field,
not per row.

    PROGRAM = loaders.one(read.programs)          # id → view, or None
    SHOWCASES = loaders.many(read.showcases_of_programs)   # id → list of views
    found = await PROGRAM.load(info, program_id)

strawberry's `DataLoader` keeps a future per id (and `load_many` gathers them), which costs
a list of a hundred students a few hundred event-loop callbacks. `Batches` does the same
batching with one future per query: every id asked for before the query starts (the same
tick and the next, as `DataLoader` waits) joins it, and each id keeps the query that read
it, so it is read once per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

import asyncpg

if TYPE_CHECKING:
    from bridgework.graphql.context import Info
    from bridgework.graphql.reach import Reach

V = TypeVar("V")
R = TypeVar("R")

Fetch = Callable[[asyncpg.Pool, Sequence[UUID]], Awaitable[dict[UUID, V]]]
"""A read-model query: the rows found for some ids, by id."""

Visible = Callable[["Info", Sequence[V]], Awaitable[list[bool]]]
"""Which of some views the request's caller may see (`reach.py`)."""

DECLARED: list[Loader[Any, Any]] = []
"""Every loader declared, in the order the areas were loaded."""


class Loader(Generic[V, R]):
    """One read-model query by id; `absent` is what an id with no rows loads as."""

    def __init__(
        self, fetch: Fetch[V], absent: Callable[[], R], visible: Visible[V] | None = None
    ) -> None:
        self.fetch = fetch
        self.absent = absent
        self.visible = visible
        DECLARED.append(self)

    async def load(self, info: Info, key: UUID) -> V | R:
        return (await self.load_many(info, [key]))[0]

    async def load_many(self, info: Info, keys: Sequence[UUID]) -> list[V | R]:
        found = await info.context.loaders.of(self).read(keys)
        if self.visible is not None and found:
            views = [found[k] for k in keys if k in found]
            seen = await self.visible(info, views)
            hidden = {id(v) for v, shown in zip(views, seen, strict=True) if not shown}
            if hidden:
                found = {k: v for k, v in found.items() if id(v) not in hidden}
        return [found[k] if k in found else self.absent() for k in keys]


def one(fetch: Fetch[V], visible: Visible[V] | None = None) -> Loader[V, None]:
    """A loader of one view per id (None if there is none, or if the caller may not see
    it: `visible`)."""
    return Loader(fetch, lambda: None, visible)


def many(fetch: Fetch[list[V]]) -> Loader[list[V], list[V]]:
    """A loader of a list of views per id (empty if there are none)."""
    return Loader(fetch, list)


Found = dict[UUID, Any]


class Batches:
    """One loader's queries within one request."""

    def __init__(self, fetch: Fetch[Any], pool: asyncpg.Pool) -> None:
        self.fetch = fetch
        self.pool = pool
        self._read: dict[UUID, asyncio.Future[Found]] = {}
        """Each id asked for: the query that reads (or read) it."""
        self._next: tuple[list[UUID], asyncio.Future[Found]] | None = None
        """The ids waiting for the next query, and its result."""
        self._running: set[asyncio.Task[None]] = set()

    async def read(self, keys: Sequence[UUID]) -> Found:
        """The rows found for `keys`, by id (an id without rows is absent)."""
        queries: dict[int, asyncio.Future[Found]] = {}
        for key in keys:
            query = self._read.get(key)
            if query is None or query.cancelled():
                query = self._read[key] = self._join(key)
            queries[id(query)] = query
        if len(queries) == 1:
            [only] = queries.values()
            return await only
        found: Found = {}
        for part in await asyncio.gather(*queries.values()):
            found.update(part)
        return found

    def _join(self, key: UUID) -> asyncio.Future[Found]:
        batch = self._next
        if batch is None:
            loop = asyncio.get_running_loop()
            batch = self._next = ([], loop.create_future())
            loop.call_soon(self._start, batch)
        batch[0].append(key)
        return batch[1]

    def _start(self, batch: tuple[list[UUID], asyncio.Future[Found]]) -> None:
        self._running.add(task := asyncio.ensure_future(self._run(batch)))
        task.add_done_callback(self._running.discard)

    async def _run(self, batch: tuple[list[UUID], asyncio.Future[Found]]) -> None:
        if self._next is batch:  # from here on, an id asked for starts the next query
            self._next = None
        keys, result = batch
        if result.cancelled():
            return
        try:
            found = await self.fetch(self.pool, keys)
        except Exception as e:  # noqa: BLE001 - every caller of this query gets it
            if not result.cancelled():
                result.set_exception(e)
        else:
            if not result.cancelled():
                result.set_result(found)


class Loaders:
    """The request's batches, one per loader, each made the first time it is used."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._made: dict[Loader[Any, Any], Batches] = {}
        self.reach: Reach | None = None
        """What the request's caller may see (`reach.reach_of`)."""

    def of(self, loader: Loader[Any, Any]) -> Batches:
        made = self._made.get(loader)
        if made is None:
            made = self._made[loader] = Batches(loader.fetch, self.pool)
        return made
