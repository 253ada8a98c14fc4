"""A partnership's life: where it stands now and every step it took to get there."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from bridgework.domain.partnership import Partnership
from bridgework.projections.db import grouped

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.projections.batch import Writes
    from bridgework.projections.db import Executor
    from bridgework.services.ports import StoredEvent


P = Partnership


class PartnershipStateView(msgspec.Struct, frozen=True, kw_only=True):
    partnership_id: UUID
    status: str
    term_starts_on: date | None
    term_ends_on: date | None
    changed_at: datetime


class PartnershipTransitionView(msgspec.Struct, frozen=True, kw_only=True):
    """One step of a partnership's life: formed, activated, suspended, renewed, concluded."""

    partnership_id: UUID
    change: str
    status: str
    reason: str
    term_starts_on: date | None
    term_ends_on: date | None
    at: datetime


SCHEMA = """
CREATE TABLE IF NOT EXISTS partnership_states (
    partnership_id uuid PRIMARY KEY, status text NOT NULL, term_starts_on date,
    term_ends_on date, changed_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS partnership_transitions (
    partnership_id uuid NOT NULL, position bigint NOT NULL, change text NOT NULL,
    status text NOT NULL, reason text NOT NULL, term_starts_on date, term_ends_on date,
    at timestamptz NOT NULL, PRIMARY KEY (partnership_id, position)
);
"""
TABLES = ("partnership_states", "partnership_transitions")

_STATE = "INSERT INTO partnership_states VALUES ($1, $2, NULL, NULL, $3)"
_TRANSITION = "INSERT INTO partnership_transitions VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
_STATUS = """UPDATE partnership_states SET status = $2,
    term_starts_on = coalesce($3, term_starts_on), term_ends_on = coalesce($4, term_ends_on),
    changed_at = $5 WHERE partnership_id = $1"""
STATEMENTS = (_STATE, _TRANSITION, _STATUS)
"""In the order they are written: the update after the insert it may touch."""

_CHANGES: dict[type[Any], tuple[str, str]] = {
    P.PartnershipActivated: ("activated", "active"),
    P.PartnershipSuspended: ("suspended", "suspended"),
    P.PartnershipRenewed: ("renewed", "active"),
    P.PartnershipConcluded: ("concluded", "concluded"),
}
HANDLES = frozenset({"PartnershipFormed", *(change.__name__ for change in _CHANGES)})


def write(writes: Writes, event: StoredEvent, e: Any) -> None:
    p, at, seq = e.originator_id, e.timestamp, event.position
    if isinstance(e, P.PartnershipFormed):
        status = str(e.status)
        writes.add(_STATE, p, status, at)
        writes.add(_TRANSITION, p, seq, "formed", status, "", None, None, at)
        return
    change, status = _CHANGES[type(e)]
    term = (
        (e.term_starts_on, e.term_ends_on) if isinstance(e, P.PartnershipRenewed) else (None,) * 2
    )
    writes.add(_STATUS, p, status, *term, at)
    writes.add(_TRANSITION, p, seq, change, status, e.reason, *term, at)


async def partnership_states(
    conn: Executor, ids: Sequence[UUID]
) -> dict[UUID, PartnershipStateView]:
    rows = await conn.fetch(
        "SELECT partnership_id, status, term_starts_on, term_ends_on, changed_at"
        " FROM partnership_states WHERE partnership_id = ANY($1::uuid[])",
        list(ids),
    )
    return {r[0]: PartnershipStateView(**dict(r)) for r in rows}


async def partnership_transitions(
    conn: Executor, ids: Sequence[UUID]
) -> dict[UUID, list[PartnershipTransitionView]]:
    """Each partnership's life, oldest step first."""
    rows = await conn.fetch(
        "SELECT partnership_id, change, status, reason, term_starts_on, term_ends_on, at"
        " FROM partnership_transitions WHERE partnership_id = ANY($1::uuid[])"
        " ORDER BY partnership_id, position",
        list(ids),
    )
    return grouped((PartnershipTransitionView(**dict(r)) for r in rows), "partnership_id")
