"""DataLoaders by id, declared once beside the area that reads them and made lazily, one
per request, the first time a resolver asks: a page of programs costs one query per field,
not per row.

    PROGRAM = loaders.one(read.programs)          # id → view, or None
    SHOWCASES = loaders.many(read.showcases_of_programs)   # id → list of views
    found = await PROGRAM.load(info, program_id)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

import asyncpg
from strawberry.dataloader import DataLoader

if TYPE_CHECKING:
    from bridgework.graphql.context import Info

V = TypeVar("V")
R = TypeVar("R")

Fetch = Callable[[asyncpg.Pool, Sequence[UUID]], Awaitable[dict[UUID, V]]]
"""A read-model query: the rows found for some ids, by id."""

DECLARED: list[Loader[Any, Any]] = []
"""Every loader declared, in the order the areas were loaded."""


class Loader(Generic[V, R]):
    """One read-model query by id; `absent` is what an id with no rows loads as."""

    def __init__(self, fetch: Fetch[V], absent: Callable[[], R]) -> None:
        self.fetch = fetch
        self.absent = absent
        DECLARED.append(self)

    def made(self, pool: asyncpg.Pool) -> DataLoader[UUID, V | R]:
        async def load(ids: list[UUID]) -> list[V | R]:
            found = await self.fetch(pool, ids)
            return [found[i] if i in found else self.absent() for i in ids]

        return DataLoader(load_fn=load)

    async def load(self, info: Info, key: UUID) -> V | R:
        return await info.context.loaders.of(self).load(key)

    async def load_many(self, info: Info, keys: Sequence[UUID]) -> list[V | R]:
        return list(await info.context.loaders.of(self).load_many(keys))


def one(fetch: Fetch[V]) -> Loader[V, None]:
    """A loader of one view per id (None if there is none)."""
    return Loader(fetch, lambda: None)


def many(fetch: Fetch[list[V]]) -> Loader[list[V], list[V]]:
    """A loader of a list of views per id (empty if there are none)."""
    return Loader(fetch, list)


class Loaders:
    """The request's DataLoaders, each made the first time it is used."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._made: dict[Loader[Any, Any], DataLoader[UUID, Any]] = {}

    def of(self, loader: Loader[V, R]) -> DataLoader[UUID, V | R]:
        made = self._made.get(loader)
        if made is None:
            made = self._made[loader] = loader.made(self.pool)
        return made
