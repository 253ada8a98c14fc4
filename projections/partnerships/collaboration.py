"""Working together: each partnership's liaisons, the partners' contributions and the
check-ins where they meet."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
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


class LiaisonView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    partnership_id: UUID
    organisation_id: UUID
    name: str
    title: str
    email: str | None
    phone: str | None
    appointed_at: datetime
    stood_down_reason: str | None


class ContributionView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    partnership_id: UUID
    organisation_id: UUID
    kind: str
    description: str
    value: Decimal | None
    currency: str | None
    hours: Decimal | None
    contributed_on: date


class FollowUpView(msgspec.Struct, frozen=True, kw_only=True):
    action: str
    owner: str
    due_on: date | None


class CheckInView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    partnership_id: UUID
    held_on: date
    attendees: list[str]
    notes: str
    decisions: list[str]
    follow_ups: list[FollowUpView]


SCHEMA = """
CREATE TABLE IF NOT EXISTS partnership_liaisons (
    liaison_id uuid PRIMARY KEY, partnership_id uuid NOT NULL, organisation_id uuid NOT NULL,
    name text NOT NULL, title text NOT NULL, email text, phone text,
    appointed_at timestamptz NOT NULL, stood_down_reason text, seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS partnership_liaisons_by_partnership
    ON partnership_liaisons (partnership_id, seq);
CREATE TABLE IF NOT EXISTS partnership_contributions (
    contribution_id uuid PRIMARY KEY, partnership_id uuid NOT NULL,
    organisation_id uuid NOT NULL, kind text NOT NULL, description text NOT NULL,
    value numeric, currency text, hours numeric, contributed_on date NOT NULL,
    seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS partnership_contributions_by_partnership
    ON partnership_contributions (partnership_id, contributed_on, seq);
CREATE TABLE IF NOT EXISTS partnership_check_ins (
    check_in_id uuid PRIMARY KEY, partnership_id uuid NOT NULL, held_on date NOT NULL,
    attendees text[] NOT NULL, notes text NOT NULL, decisions text[] NOT NULL,
    follow_up_actions text[] NOT NULL, follow_up_owners text[] NOT NULL,
    follow_up_due date[] NOT NULL, seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS partnership_check_ins_by_partnership
    ON partnership_check_ins (partnership_id, held_on, seq);
"""
TABLES = ("partnership_liaisons", "partnership_contributions", "partnership_check_ins")
HANDLES = frozenset({"LiaisonAppointed", "LiaisonStoodDown", "ContributionRecorded", "CheckInHeld"})

_LIAISON = "INSERT INTO partnership_liaisons VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)"
_CONTRIBUTION = """INSERT INTO partnership_contributions
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"""
_CHECK_IN = """INSERT INTO partnership_check_ins
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"""
_STAND_DOWN = "UPDATE partnership_liaisons SET stood_down_reason = $2 WHERE liaison_id = $1"
STATEMENTS = (_LIAISON, _CONTRIBUTION, _CHECK_IN, _STAND_DOWN)
"""In the order they are written: the update after the insert it may touch."""


def write(writes: Writes, event: StoredEvent, e: Any) -> None:
    p, seq = e.originator_id, event.position
    match e:
        case P.LiaisonAppointed():
            contact = (e.name, e.title, e.email, e.phone)
            writes.add(_LIAISON, e.liaison_id, p, e.organisation_id, *contact, e.timestamp, seq)
        case P.LiaisonStoodDown():
            writes.add(_STAND_DOWN, e.liaison_id, e.reason)
        case P.ContributionRecorded():
            given = (str(e.kind), e.description, e.value, e.currency, e.hours, e.contributed_on)
            writes.add(_CONTRIBUTION, e.contribution_id, p, e.organisation_id, *given, seq)
        case P.CheckInHeld():
            f = e.follow_ups
            follow_ups = ([x.action for x in f], [x.owner for x in f], [x.due_on for x in f])
            held = (e.held_on, list(e.attendees), e.notes, list(e.decisions))
            writes.add(_CHECK_IN, e.check_in_id, p, *held, *follow_ups, seq)


async def liaisons(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, list[LiaisonView]]:
    rows = await conn.fetch(
        "SELECT liaison_id AS id, partnership_id, organisation_id, name, title, email, phone,"
        " appointed_at, stood_down_reason FROM partnership_liaisons"
        " WHERE partnership_id = ANY($1::uuid[]) ORDER BY partnership_id, seq",
        list(ids),
    )
    return grouped((LiaisonView(**dict(r)) for r in rows), "partnership_id")


async def contributions(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, list[ContributionView]]:
    """Each partnership's contributions, earliest first."""
    rows = await conn.fetch(
        "SELECT contribution_id AS id, partnership_id, organisation_id, kind, description,"
        " value, currency, hours, contributed_on FROM partnership_contributions"
        " WHERE partnership_id = ANY($1::uuid[]) ORDER BY partnership_id, contributed_on, seq",
        list(ids),
    )
    return grouped((ContributionView(**dict(r)) for r in rows), "partnership_id")


async def check_ins(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, list[CheckInView]]:
    """Each partnership's check-ins, latest first."""
    rows = await conn.fetch(
        "SELECT check_in_id, partnership_id, held_on, attendees, notes, decisions,"
        " follow_up_actions, follow_up_owners, follow_up_due FROM partnership_check_ins"
        " WHERE partnership_id = ANY($1::uuid[])"
        " ORDER BY partnership_id, held_on DESC, seq DESC",
        list(ids),
    )
    return grouped((_check_in(r) for r in rows), "partnership_id")


def _check_in(r: Any) -> CheckInView:
    follow_ups = zip(r[6], r[7], r[8], strict=True)
    return CheckInView(
        id=r[0],
        partnership_id=r[1],
        held_on=r[2],
        attendees=r[3],
        notes=r[4],
        decisions=r[5],
        follow_ups=[FollowUpView(action=a, owner=o, due_on=d) for a, o, d in follow_ups],
    )
