"""Erasure in the views: each read model lists the statements (`erases`, $1 the student's
id) that scrub an erased student's personal values from its rows, run on `StudentErased`
after the batch's other events (`projections/applying.py`).

A scrub writes constants, so the rows come out the same whether the events before it were
read with the student's values (live) or with placeholders (a rebuild after the erasure),
and counts are untouched: only personal columns change, rows stay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bridgework.domain.personal import ERASED

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.projections.applying import Projection
    from bridgework.projections.db import Connection
    from bridgework.services.ports import StoredEvent

ERASING_EVENT = "StudentErased"


def scrubbed(*columns: str) -> str:
    """SET clauses that make each text column its placeholder; an empty or absent value,
    stored as it was (`infra/crypto/cipher.py`), stays."""
    return ", ".join(
        f"{c} = CASE WHEN {c} IS NULL OR {c} = '' THEN {c} ELSE '{ERASED}' END" for c in columns
    )


def scrub(table: str, *columns: str, key: str = "student_id", also: str = "") -> str:
    """The statement scrubbing `columns` of `table`'s rows of one student (and setting
    `also`, for columns of other types)."""
    sets = ", ".join(filter(None, (scrubbed(*columns), also)))
    return f"UPDATE {table} SET {sets} WHERE {key} = $1"  # noqa: S608 - constants


def wants(p: Projection, event_type: str) -> bool:
    """Whether `p` applies events of this type (an erasure, if it scrubs)."""
    return event_type in p.handles or (event_type == ERASING_EVENT and bool(erases(p)))


def undecoded(p: Projection) -> bool:
    """Whether `p` takes every event as stored, none decoded (the sealer, `projections/seal.py`):
    it applies them all, erasures included, and scrubs nothing."""
    return bool(getattr(p, "undecoded", False))


def erases(p: Projection) -> Sequence[str]:
    found: Sequence[str] = getattr(p, "erases", ())
    return found


async def apply_events(
    p: Projection, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
) -> None:
    """The handled events, then the scrub of every student erased among them: events after
    an erasure hold only placeholders of theirs, so scrubbing last gives the same rows."""
    handled = [(s, e) for s, e in events if s.event_type in p.handles]
    if handled:
        await p.apply_batch(conn, handled)
    erased = [(e.originator_id,) for s, e in events if s.event_type == ERASING_EVENT]
    for statement in erases(p) if erased else ():
        await conn.executemany(statement, erased)
