"""Group commit of delivery outcomes: the sender's tasks each hand over what their attempts
came to, and one statement writes all that arrived while the one before it ran, so a
parallel endpoint's deliveries cost a write each per batch rather than per message. A task
returns once its outcomes are written (or with what writing them raised); one that never
hears back leaves its messages to their leases (sent again, the same `webhook-id`)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

T = TypeVar("T")


class Together(Generic[T]):
    def __init__(self, write: Callable[[list[T]], Awaitable[None]]) -> None:
        self._write = write
        self._waiting: list[tuple[list[T], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, items: list[T]) -> None:
        """Write `items` with whatever else arrives meanwhile; returns once they are written."""
        if not items:
            return
        written = asyncio.get_running_loop().create_future()
        self._waiting.append((items, written))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        await written

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
        for _, written in self._waiting:
            written.cancel()
        self._waiting = []

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await self._write([item for items, _ in batch for item in items])
            except Exception as e:  # noqa: BLE001 - each waiter gets it
                for _, written in batch:
                    if not written.done():
                        written.set_exception(e)
            except asyncio.CancelledError:
                for _, written in batch:
                    written.cancel()
                raise
            else:
                for _, written in batch:
                    if not written.done():
                        written.set_result(None)
