"""`timeline`: every event about a student, in log order, with a line a person can read.

An event is about a student when it is on the student's own stream, or names them in its
payload (`student_id`, or a list of presenters). Which events those are is read off the
event classes, so a new kind of event about students joins the timeline by itself.
"""

from __future__ import annotations

import dataclasses
import string
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from bridgework.domain.catalog import AGGREGATE_OF, EVENT_TYPES
from bridgework.domain.personal import ERASED, PERSONAL
from bridgework.domain.program import Program
from bridgework.domain.student import Student
from bridgework.projections.batch import Writes

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from bridgework.projections.db import Connection, Executor
    from bridgework.services.ports import StoredEvent


class TimelineEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One event about a student."""

    student_id: UUID
    position: int
    event_type: str
    program_id: UUID | None
    summary: str
    at: datetime


SCHEMA = """
CREATE TABLE IF NOT EXISTS timeline_programs (program_id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE IF NOT EXISTS timeline_entries (
    student_id uuid NOT NULL, position bigint NOT NULL, event_type text NOT NULL,
    program_id uuid, summary text NOT NULL, at timestamptz NOT NULL,
    PRIMARY KEY (student_id, position)
);
"""

_STUDENT_FIELDS = ("student_id", "presenter_ids")


def _about_students(cls: type[Any]) -> bool:
    names = {f.name for f in dataclasses.fields(cls)}
    return AGGREGATE_OF[cls] is Student or any(f in names for f in _STUDENT_FIELDS)


_ECHOES = frozenset({"MenteeTaken", "MenteeReleased"})
"""The mentor's side of facts the program's events already tell (assigned, withdrawn…)."""

_HANDLED = frozenset(
    n for n, cls in EVENT_TYPES.items() if _about_students(cls) and n not in _ECHOES
)

_SUMMARIES: dict[str, str] = {
    "StudentRegistered": "Registered as a student",
    "ApplicationReceived": "Applied to {program}",
    "ApplicationRefused": "Application to {program} refused ({rule}): {detail}",
    "ApplicationAccepted": "Application to {program} accepted",
    "ApplicationDenied": "Application to {program} denied: {reason}",
    "StudentEnrolled": "Enrolled in {program}",
    "StudentWaitlisted": "Waitlisted for {program}",
    "StudentPromotedFromWaitlist": "Given a seat in {program} from the waitlist",
    "StudentWithdrawn": "Withdrawn from {program}: {reason}",
    "EnrolmentCompleted": "Completed {program}",
    "MentorAssigned": "Given a mentor in {program}",
    "ShowcaseRecorded": "Presented '{title}' at a showcase of {program}",
    "GuardianConsentRecorded": "Guardian consent recorded ({guardian_name}, {relationship})",
    "GuardianConsentWithdrawn": "Guardian consent withdrawn: {reason}",
    "ConsentRelied": "Guardian consent covers {program}",
    "MentorMatchClosed": "Mentor match in {program} ended ({reason}): {note}",
    "MeetingLogged": "Met their mentor for {minutes} minutes in {program}",
    "HoursSubmitted": "Logged {hours} hours in {program}: {activity}",
    "HoursVerified": "Hours verified by {supervisor_name}",
    "HoursDeclined": "Hours declined by {supervisor_name}: {reason}",
    "HoursApproved": "Hours approved by the school: {note}",
    "HoursRejected": "Hours rejected by the school: {reason}",
    "CredentialEarned": "Earned '{name}' ({issuer})",
    "PathwayRecorded": "Went on to {pathway}: {organisation}",
}


def _fields_of(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def _telling(name: str, template: str) -> bool:
    """Whether the line of an event names a personal value of it."""
    return bool(_fields_of(template) & set(PERSONAL.get(name, {})))


TELLING = sorted(n for n, t in _SUMMARIES.items() if _telling(n, t))
"""An erased student's lines of these read "erased"; the others stay as they are. Shown to
a caller who may not see the student's personal data, they read as `plain_summary`."""
_SCRUB = (
    f"UPDATE timeline_entries SET summary = '{ERASED}'"  # noqa: S608 - constants
    f" WHERE student_id = $1 AND event_type IN ({', '.join(map(repr, TELLING))})"
)


def plain_summary(entry: TimelineEntry) -> str:
    """The line without the personal values a telling one names (`Hours verified`)."""
    return _words(entry.event_type) if entry.event_type in TELLING else entry.summary


def summary_of(
    event_type: str, fields: Mapping[str, Any], program: str, hidden: Collection[str] = ()
) -> str:
    """The line a person can read for an event of these fields (`program` is the title its
    `{program}` reads as); one without a line, or whose line names a field it lacks or one
    in `hidden` (redacted), reads as its type in words (`MenteeTaken` → `Mentee taken`)."""
    template = _SUMMARIES.get(event_type)
    named = set() if template is None else _fields_of(template) - {"program"}
    if template is None or not named <= set(fields) - set(hidden):
        return _words(event_type)
    return template.format(program=f"'{program}'", **fields).rstrip(": ")


def _words(name: str) -> str:
    """`MenteeTaken` → `Mentee taken`: the fallback for an event without a summary."""
    spaced = "".join(f" {ch.lower()}" if ch.isupper() else ch for ch in name).strip()
    return spaced[:1].upper() + spaced[1:]


def _students_of(e: Any) -> list[UUID]:
    if AGGREGATE_OF[type(e)] is Student:
        return [e.originator_id]
    found = list(getattr(e, "presenter_ids", ()))
    student_id = getattr(e, "student_id", None)
    return found + ([student_id] if student_id is not None else [])


def _program_of(e: Any) -> UUID | None:
    if AGGREGATE_OF[type(e)] is Program:
        program: UUID = e.originator_id
        return program
    return getattr(e, "program_id", None)


class Timeline:
    name = "timeline"
    version = 1
    schema = SCHEMA
    tables = ("timeline_programs", "timeline_entries")
    erases = (_SCRUB,)
    handles = _HANDLED | {"ProgramLaunched"}

    async def apply_batch(
        self, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
    ) -> None:
        names = {
            e.originator_id: e.name for _, e in events if isinstance(e, Program.ProgramLaunched)
        }
        wanted = {p for _, e in events if (p := _program_of(e)) is not None} - set(names)
        if wanted:
            rows = await conn.fetch(
                "SELECT program_id, name FROM timeline_programs WHERE program_id = ANY($1)",
                list(wanted),
            )
            known = {r[0]: r[1] for r in rows}
        else:
            known = {}
        writes = Writes(
            "INSERT INTO timeline_programs VALUES ($1, $2)",
            "INSERT INTO timeline_entries VALUES ($1, $2, $3, $4, $5, $6)",
        )
        for event, e in events:
            if isinstance(e, Program.ProgramLaunched):
                writes.add("INSERT INTO timeline_programs VALUES ($1, $2)", e.originator_id, e.name)
                continue
            program = _program_of(e)
            title = names.get(program) or known.get(program) or "a program"  # type: ignore[arg-type]
            fields = {f.name: getattr(e, f.name) for f in dataclasses.fields(e)}
            summary = summary_of(event.event_type, fields, title)
            for student_id in _students_of(e):
                writes.add(
                    "INSERT INTO timeline_entries VALUES ($1, $2, $3, $4, $5, $6)",
                    student_id,
                    event.position,
                    event.event_type,
                    program,
                    summary,
                    e.timestamp,
                )
        await writes.flush(conn)


PROJECTIONS = (Timeline,)
"""This area's read models."""


async def timelines(
    conn: Executor,
    student_ids: Sequence[UUID],
    *,
    after: int | None = None,
    limit: int = 50,
    newest_first: bool = False,
) -> list[TimelineEntry]:
    """One student's (or several students') entries after a position, in log order or
    newest first; the position is the cursor."""
    order = "DESC" if newest_first else "ASC"
    compare = "<" if newest_first else ">"
    rows = await conn.fetch(
        "SELECT student_id, position, event_type, program_id, summary, at FROM timeline_entries"  # noqa: S608 - fixed SQL
        f" WHERE student_id = ANY($1::uuid[]) AND ($2::bigint IS NULL OR position {compare} $2)"
        f" ORDER BY position {order} LIMIT $3",
        list(student_ids),
        after,
        limit,
    )
    return [
        TimelineEntry(
            student_id=r[0],
            position=r[1],
            event_type=r[2],
            program_id=r[3],
            summary=r[4],
            at=r[5],
        )
        for r in rows
    ]
