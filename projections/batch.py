"""Writing a batch of events' effects in a few round trips instead of one per event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bridgework.projections.db import Connection


class Writes:
    """Rows collected over a batch, written statement by statement in a fixed order.

    The order is the declared one, not the order events arrived in, so a model lists its
    inserts before the updates that may touch the inserted rows.
    """

    def __init__(self, *statements: str) -> None:
        self._rows: dict[str, list[tuple[Any, ...]]] = {s: [] for s in statements}

    def add(self, statement: str, *args: Any) -> None:
        self._rows[statement].append(args)

    async def flush(self, conn: Connection) -> None:
        for statement, rows in self._rows.items():
            if rows:
                await conn.executemany(statement, rows)


class InOrder:
    """Statements in the order their events came, runs of the same statement sent as one
    `executemany`: for models whose updates depend on what came just before."""

    def __init__(self) -> None:
        self._runs: list[tuple[str, list[tuple[Any, ...]]]] = []

    def add(self, statement: str, *args: Any) -> None:
        if self._runs and self._runs[-1][0] == statement:
            self._runs[-1][1].append(args)
        else:
            self._runs.append((statement, [args]))

    async def flush(self, conn: Connection) -> None:
        for statement, rows in self._runs:
            await conn.executemany(statement, rows)
