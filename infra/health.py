"""The log's health: how far each projection lags, and who holds readers back.

Readers take only events of transactions older than the oldest one still running
(FIELD_NOTES.md), so one transaction left open anywhere on the server, by any application,
freezes every reader for as long as it stays open. `log_health` names it, so `/ready`,
`/metrics` and `bridgework status` can say why the views stopped, not just that they did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from bridgework.infra import statements
from bridgework.infra.statements import LAG_COUNT_CAP

if TYPE_CHECKING:
    import asyncpg
    from bridgework.infra.store import PostgresEventStore

HELD_BACK_AFTER_SECONDS = 1.0
"""Writers hold an id for milliseconds; a transaction older than this is reported."""
QUERY_TIMEOUT_SECONDS = 2.0

_LAGS = f"""
SELECT p.name, p.position, lag.events, lag.seconds,
       (SELECT count(*) FROM parked_events AS x
        WHERE x.projection = p.name AND x.resolved_at IS NULL)
FROM projection_checkpoints AS p {statements.behind("p")}
ORDER BY p.name
"""  # noqa: S608 - a constant fragment

# Transaction ids are cluster-wide: a transaction in any database holds back our readers.
# The query text is never read: it may hold anyone's data.
_HELD_BACK = """
SELECT pid, extract(epoch FROM clock_timestamp() - xact_start)::float8,
       coalesce(state, ''), coalesce(application_name, '')
FROM pg_stat_activity
WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
  AND xact_start < clock_timestamp() - make_interval(secs => $1)
ORDER BY xact_start
LIMIT 1
"""


class ProjectionLag(msgspec.Struct, frozen=True):
    name: str
    position: int
    """The position of the last event the projection applied."""
    lag_events: int
    """Events committed after its checkpoint (counted up to `LAG_COUNT_CAP`)."""
    lag_seconds: float
    """Age of the oldest event it has not applied; 0 when caught up."""
    parked: int = 0
    """Events it failed on and set aside (`bridgework parked` lists them)."""


class HeldBack(msgspec.Struct, frozen=True):
    """The oldest open transaction holding an id: no reader sees past it until it ends."""

    pid: int
    age_seconds: float
    state: str
    application_name: str


class LogHealth(msgspec.Struct, frozen=True):
    head: int
    listening: bool
    """Whether this process receives NOTIFY (False: its readers poll until it is back)."""
    projections: list[ProjectionLag]
    held_back_by: HeldBack | None


async def log_health(
    pool: asyncpg.Pool,
    store: PostgresEventStore,
    *,
    held_back_after: float = HELD_BACK_AFTER_SECONDS,
) -> LogHealth:
    """One look at the log; raises whatever the driver raises if the database does not
    answer within a few seconds (callers report that without the driver's text)."""
    async with pool.acquire(timeout=QUERY_TIMEOUT_SECONDS) as conn:
        head = await conn.fetchval(
            "SELECT coalesce(max(position), 0) FROM events", timeout=QUERY_TIMEOUT_SECONDS
        )
        lags = await conn.fetch(_LAGS, LAG_COUNT_CAP, timeout=QUERY_TIMEOUT_SECONDS)
        held = await conn.fetchrow(_HELD_BACK, held_back_after, timeout=QUERY_TIMEOUT_SECONDS)
    return LogHealth(
        head=head,
        listening=store.listening,
        projections=[ProjectionLag(r[0], r[1], r[2], r[3], r[4]) for r in lags],
        held_back_by=None if held is None else HeldBack(held[0], held[1], held[2], held[3]),
    )


def readiness_problems(health: LogHealth, *, max_lag: float, max_held_back: float) -> list[str]:
    """Why this process should not take traffic; empty when it should."""
    problems = [
        f"projection {p.name} is {p.lag_seconds:.1f} s behind (more than {max_lag:g} s)"
        for p in health.projections
        if p.lag_seconds > max_lag
    ]
    held = health.held_back_by
    if held is not None and held.age_seconds > max_held_back:
        problems.append(
            f"transaction of pid {held.pid} ({held.application_name or 'unnamed'},"
            f" {held.state or 'unknown state'}) has held back every reader for"
            f" {held.age_seconds:.1f} s (more than {max_held_back:g} s)"
        )
    return problems
