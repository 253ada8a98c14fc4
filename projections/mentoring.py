"""`mentoring`: every mentor match, from assignment to its end and why, with its meetings;
each mentor's load; the matches gone quiet."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from bridgework.domain.mentor import Mentor
from bridgework.domain.mentoring import MatchClosure
from bridgework.domain.program import Program
from bridgework.projections.batch import InOrder
from bridgework.projections.db import grouped
from bridgework.projections.scrub import scrub

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.projections.db import Connection, Executor
    from bridgework.services.ports import StoredEvent


class MatchView(msgspec.Struct, frozen=True, kw_only=True):
    """A mentor matched with a student in a program, from assignment to its end."""

    program_id: UUID
    student_id: UUID
    mentor_id: UUID
    started_on: date
    ended_on: date | None
    closure_reason: str | None
    note: str
    meetings: int
    meeting_minutes: int
    last_met_on: date | None


class ProposalView(msgspec.Struct, frozen=True, kw_only=True):
    """A match put to a mentor, and their answer."""

    program_id: UUID
    student_id: UUID
    mentor_id: UUID
    proposed_on: date
    answered_on: date | None
    status: str
    """proposed, confirmed, declined, or lapsed (the student left, or was matched otherwise)."""
    reason: str


class MentorLoadView(msgspec.Struct, frozen=True, kw_only=True):
    mentor_id: UUID
    active: int
    closed: int
    closed_early: int
    """Closed for a reason other than goals met."""
    average_days: float | None
    """Average match length, open ones counted to the date asked about."""


SCHEMA = """
CREATE TABLE IF NOT EXISTS mentoring_matches (
    program_id uuid NOT NULL, student_id uuid NOT NULL, mentor_id uuid NOT NULL,
    started_on date NOT NULL, ended_on date, closure_reason text, note text NOT NULL DEFAULT '',
    meetings integer NOT NULL DEFAULT 0, meeting_minutes integer NOT NULL DEFAULT 0,
    last_met_on date, seq bigint NOT NULL, PRIMARY KEY (program_id, student_id, seq)
);
CREATE INDEX IF NOT EXISTS mentoring_matches_by_mentor ON mentoring_matches (mentor_id, seq);
CREATE INDEX IF NOT EXISTS mentoring_matches_open
    ON mentoring_matches (program_id, student_id) WHERE ended_on IS NULL;
CREATE TABLE IF NOT EXISTS mentoring_proposals (
    program_id uuid NOT NULL, student_id uuid NOT NULL, mentor_id uuid NOT NULL,
    proposed_on date NOT NULL, answered_on date,
    status text NOT NULL CHECK (status IN ('proposed', 'confirmed', 'declined', 'lapsed')),
    reason text NOT NULL DEFAULT '', seq bigint NOT NULL, PRIMARY KEY (program_id, student_id, seq)
);
CREATE INDEX IF NOT EXISTS mentoring_proposals_by_mentor ON mentoring_proposals (mentor_id, seq);
"""

_OPEN = (
    "INSERT INTO mentoring_matches (program_id, student_id, mentor_id, started_on, seq)"
    " VALUES ($1, $2, $3, $4, $5)"
)
_CLOSE = """UPDATE mentoring_matches SET ended_on = $3, closure_reason = $4, note = $5
WHERE program_id = $1 AND student_id = $2 AND ended_on IS NULL"""
_PROPOSE = """INSERT INTO mentoring_proposals (program_id, student_id, mentor_id, proposed_on,
    status, seq) VALUES ($1, $2, $3, $4, 'proposed', $5)"""
_ANSWER = """UPDATE mentoring_proposals SET status = $3, answered_on = $4, reason = $5
WHERE program_id = $1 AND student_id = $2 AND status = 'proposed'"""
_CONFIRM = """UPDATE mentoring_proposals
SET status = CASE WHEN mentor_id = $3 THEN 'confirmed' ELSE 'lapsed' END, answered_on = $4
WHERE program_id = $1 AND student_id = $2 AND status = 'proposed'"""
_MEETING = """UPDATE mentoring_matches SET meetings = meetings + 1,
    meeting_minutes = meeting_minutes + $4, last_met_on = greatest(last_met_on, $3)
WHERE program_id = $1 AND student_id = $2 AND ended_on IS NULL"""


class Mentoring:
    name = "mentoring"
    version = 2
    schema = SCHEMA
    tables = ("mentoring_matches", "mentoring_proposals")
    erases = (scrub("mentoring_matches", "note"), scrub("mentoring_proposals", "reason"))
    handles = frozenset(
        {
            "MentorMatchProposed",
            "MentorMatchDeclined",
            "MentorAssigned",
            "MentorMatchClosed",
            "StudentWithdrawn",
            "EnrolmentCompleted",
            "MeetingLogged",
        }
    )

    async def apply_batch(
        self, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
    ) -> None:
        # In event order: a match can close and a new one open for the same student.
        writes = InOrder()
        for event, e in events:
            on = e.timestamp.date()
            match e:
                case Program.MentorMatchProposed():
                    writes.add(
                        _PROPOSE, e.originator_id, e.student_id, e.mentor_id, on, event.position
                    )
                case Program.MentorMatchDeclined():
                    writes.add(_ANSWER, e.originator_id, e.student_id, "declined", on, e.reason)
                case Program.MentorAssigned():
                    # A proposal to this mentor is confirmed; one to another has lapsed.
                    writes.add(_CONFIRM, e.originator_id, e.student_id, e.mentor_id, on)
                    writes.add(
                        _OPEN, e.originator_id, e.student_id, e.mentor_id, on, event.position
                    )
                case Program.MentorMatchClosed():
                    writes.add(_CLOSE, e.originator_id, e.student_id, on, str(e.reason), e.note)
                case Program.StudentWithdrawn():
                    writes.add(_ANSWER, e.originator_id, e.student_id, "lapsed", on, e.reason)
                    writes.add(
                        _CLOSE,
                        e.originator_id,
                        e.student_id,
                        on,
                        str(MatchClosure.STUDENT_LEFT),
                        e.reason,
                    )
                case Program.EnrolmentCompleted():
                    done = "Completed the program"
                    writes.add(_ANSWER, e.originator_id, e.student_id, "lapsed", on, done)
                    writes.add(
                        _CLOSE, e.originator_id, e.student_id, on, str(MatchClosure.GOALS_MET), done
                    )
                case Mentor.MeetingLogged():
                    writes.add(_MEETING, e.program_id, e.student_id, e.met_on, e.minutes)
                case _:
                    raise TypeError(f"mentoring does not handle {event.event_type}")
        await writes.flush(conn)


PROJECTIONS = (Mentoring,)
"""This area's read models."""
_MATCH = """SELECT program_id, student_id, mentor_id, started_on, ended_on, closure_reason,
    note, meetings, meeting_minutes, last_met_on FROM mentoring_matches"""


def _match(r: Any) -> MatchView:
    return MatchView(
        program_id=r[0],
        student_id=r[1],
        mentor_id=r[2],
        started_on=r[3],
        ended_on=r[4],
        closure_reason=r[5],
        note=r[6],
        meetings=r[7],
        meeting_minutes=r[8],
        last_met_on=r[9],
    )


async def _grouped(conn: Executor, column: str, ids: Sequence[UUID]) -> dict[UUID, list[MatchView]]:
    rows = await conn.fetch(
        f"{_MATCH} WHERE {column} = ANY($1::uuid[]) ORDER BY {column}, seq", list(ids)
    )
    return grouped((_match(r) for r in rows), column)


async def matches_of_mentors(
    conn: Executor, mentor_ids: Sequence[UUID]
) -> dict[UUID, list[MatchView]]:
    """Each mentor's matches, oldest first."""
    return await _grouped(conn, "mentor_id", mentor_ids)


async def matched_with(
    conn: Executor, *, mentor_id: UUID | None = None, student_id: UUID | None = None
) -> list[tuple[UUID, UUID, UUID]]:
    """(program, student, mentor) of every match and proposal, past or present, of a mentor
    or of a student: who they may know through mentoring."""
    rows = await conn.fetch(
        "SELECT program_id, student_id, mentor_id FROM mentoring_matches"
        " WHERE mentor_id = $1 OR student_id = $2"
        " UNION SELECT program_id, student_id, mentor_id FROM mentoring_proposals"
        " WHERE mentor_id = $1 OR student_id = $2",
        mentor_id,
        student_id,
    )
    return [(r[0], r[1], r[2]) for r in rows]


async def matches_of_programs(
    conn: Executor, program_ids: Sequence[UUID]
) -> dict[UUID, list[MatchView]]:
    """Each program's matches, oldest first."""
    return await _grouped(conn, "program_id", program_ids)


async def mentor_loads(
    conn: Executor, mentor_ids: Sequence[UUID], as_of: date
) -> dict[UUID, MentorLoadView]:
    rows = await conn.fetch(
        """
        SELECT mentor_id,
               count(*) FILTER (WHERE ended_on IS NULL),
               count(*) FILTER (WHERE ended_on IS NOT NULL),
               count(*) FILTER (WHERE closure_reason IS NOT NULL AND closure_reason <> 'goals_met'),
               avg(coalesce(ended_on, $2::date) - started_on)
        FROM mentoring_matches WHERE mentor_id = ANY($1::uuid[]) GROUP BY mentor_id
        """,
        list(mentor_ids),
        as_of,
    )
    return {
        r[0]: MentorLoadView(
            mentor_id=r[0],
            active=r[1],
            closed=r[2],
            closed_early=r[3],
            average_days=None if r[4] is None else float(r[4]),
        )
        for r in rows
    }


async def quiet_matches(conn: Executor, as_of: date, days: int) -> list[MatchView]:
    """Open matches with no meeting logged in the `days` before `as_of` (counting from the
    match's start when there has been none), quietest first."""
    rows = await conn.fetch(
        f"{_MATCH} WHERE ended_on IS NULL"
        " AND coalesce(last_met_on, started_on) <= $1::date - $2::int"
        " ORDER BY coalesce(last_met_on, started_on), seq",
        as_of,
        days,
    )
    return [_match(r) for r in rows]


def _proposal(r: Any) -> ProposalView:
    return ProposalView(
        program_id=r[0],
        student_id=r[1],
        mentor_id=r[2],
        proposed_on=r[3],
        answered_on=r[4],
        status=r[5],
        reason=r[6],
    )


async def _proposals(
    conn: Executor, column: str, ids: Sequence[UUID]
) -> dict[UUID, list[ProposalView]]:
    rows = await conn.fetch(
        "SELECT program_id, student_id, mentor_id, proposed_on, answered_on, status, reason"  # noqa: S608 - fixed SQL
        f" FROM mentoring_proposals WHERE {column} = ANY($1::uuid[]) ORDER BY {column}, seq",
        list(ids),
    )
    return grouped((_proposal(r) for r in rows), column)


async def proposals_of_mentors(
    conn: Executor, mentor_ids: Sequence[UUID]
) -> dict[UUID, list[ProposalView]]:
    """Each mentor's proposed matches and how they answered, oldest first."""
    return await _proposals(conn, "mentor_id", mentor_ids)


async def proposals_of_programs(
    conn: Executor, program_ids: Sequence[UUID]
) -> dict[UUID, list[ProposalView]]:
    """Each program's proposed matches, oldest first."""
    return await _proposals(conn, "program_id", program_ids)
