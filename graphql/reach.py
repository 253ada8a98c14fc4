"""Organisation scoping on the read side: which records the request's principal may see.

The root fields' policies (`policy.py`) decide who may *ask*; this decides what they *get*,
through every nested relation as well as the root fields: the entity loaders
(`loaders.one(…, visible=…)`) ask it about every record they hand out, and a record the
caller may not see loads as absent (null, or left out of a list). What each role reaches:

- administrators and auditors: everything;
- coordinators, partner liaisons and integrations: the partnerships their organisations
  belong to and those partnerships' programs, the students of their own schools, and the
  mentors of their organisations or of an organisation they are in a partnership with;
- a student: themselves, the programs they have an entry in, and their mentors;
- a mentor: themselves, their mentees (matched or proposed) and those programs.

The log is filtered in SQL by the organisations recorded on each event (`scope`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridgework.projections.directory import partnerships_of
from bridgework.projections.enrolment import enrolments_of_students
from bridgework.projections.mentoring import matched_with
from bridgework.services.identity import Principal, Role

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    import asyncpg
    from bridgework.graphql.context import Info
    from bridgework.projections.directory import (
        MentorView,
        OrganisationView,
        PartnershipView,
        ProgramView,
        StudentView,
    )

EVERYTHING = frozenset({Role.ADMINISTRATOR, Role.AUDITOR})
SCOPED = frozenset({Role.COORDINATOR, Role.PARTNER_LIAISON, Role.INTEGRATION})


@dataclass(frozen=True)
class Ours:
    """What a scoped principal's organisations reach."""

    partnerships: frozenset[UUID] = frozenset()
    partners: frozenset[UUID] = frozenset()
    """Our organisations and every organisation in a partnership with one of them."""


@dataclass(frozen=True)
class Known:
    """Whom a student or mentor knows by taking part."""

    programs: frozenset[UUID] = frozenset()
    students: frozenset[UUID] = frozenset()
    mentors: frozenset[UUID] = frozenset()


class Reach:
    """One request's principal, and what it may see (looked up once, when first needed)."""

    def __init__(self, principal: Principal | None, pool: asyncpg.Pool) -> None:
        roles = frozenset() if principal is None else principal.roles
        self.everything = not roles.isdisjoint(EVERYTHING)
        scoped = principal is not None and not roles.isdisjoint(SCOPED)
        self.organisations = principal.organisations if scoped and principal else frozenset()
        self.student_id = principal.student_id if principal and Role.STUDENT in roles else None
        self.mentor_id = principal.mentor_id if principal and Role.MENTOR in roles else None
        self.personal_data = principal is not None and principal.personal_data
        self._pool = pool
        self._ours: asyncio.Future[Ours] | None = None
        self._known: asyncio.Future[Known] | None = None

    def sees_personal_of(self, student: StudentView) -> bool:
        """A student's date of birth, guardians and contact details: to the student, to
        staff of their own school, and to callers granted personal data (an administrator
        or auditor is not, unless granted)."""
        return (
            self.personal_data
            or student.id == self.student_id
            or (student.school_id is not None and student.school_id in self.organisations)
        )

    @property
    def scope(self) -> frozenset[UUID] | None:
        """The organisations whose events the caller reads (None: every event)."""
        return None if self.everything else self.organisations

    async def ours(self) -> Ours:
        if not self.organisations:
            return Ours()
        if self._ours is None:
            self._ours = asyncio.ensure_future(self._look_ours())
        return await self._ours

    async def known(self) -> Known:
        if self.student_id is None and self.mentor_id is None:
            return Known()
        if self._known is None:
            self._known = asyncio.ensure_future(self._look_known())
        return await self._known

    async def _look_ours(self) -> Ours:
        found = await partnerships_of(self._pool, sorted(self.organisations))
        partners = {o for members in found.values() for o in members}
        return Ours(frozenset(found), frozenset(partners) | self.organisations)

    async def _look_known(self) -> Known:
        matched = await matched_with(
            self._pool, mentor_id=self.mentor_id, student_id=self.student_id
        )
        programs = {p for p, _, _ in matched}
        if self.student_id is not None:
            entries = await enrolments_of_students(self._pool, [self.student_id])
            programs |= {e.program_id for e in entries.get(self.student_id, [])}
        return Known(
            frozenset(programs),
            frozenset(s for _, s, _ in matched),
            frozenset(m for _, _, m in matched),
        )


def reach_of(info: Info) -> Reach:
    """The request's `Reach`, made the first time a resolver asks."""
    loaders = info.context.loaders
    if loaders.reach is None:
        loaders.reach = Reach(info.context.principal, loaders.pool)
    return loaders.reach


async def partnerships(info: Info, views: Sequence[PartnershipView]) -> list[bool]:
    reach = reach_of(info)
    return [
        reach.everything or not reach.organisations.isdisjoint(v.organisation_ids) for v in views
    ]


async def programs(info: Info, views: Sequence[ProgramView]) -> list[bool]:
    reach = reach_of(info)
    if reach.everything:
        return [True] * len(views)
    ours, known = await reach.ours(), await reach.known()
    return [v.partnership_id in ours.partnerships or v.id in known.programs for v in views]


async def students(info: Info, views: Sequence[StudentView]) -> list[bool]:
    reach = reach_of(info)
    if reach.everything:
        return [True] * len(views)
    known = await reach.known()
    return [
        v.school_id in reach.organisations or v.id == reach.student_id or v.id in known.students
        for v in views
    ]


async def mentors(info: Info, views: Sequence[MentorView]) -> list[bool]:
    reach = reach_of(info)
    if reach.everything:
        return [True] * len(views)
    ours, known = await reach.ours(), await reach.known()
    return [
        v.organisation_id in ours.partners or v.id == reach.mentor_id or v.id in known.mentors
        for v in views
    ]


async def organisations(info: Info, views: Sequence[OrganisationView]) -> list[bool]:
    """Staff see their organisations and their partners; students and mentors, whom the
    root field does not serve, the schools and employers their records name."""
    reach = reach_of(info)
    if not reach.organisations:
        person = reach.student_id is not None or reach.mentor_id is not None
        return [reach.everything or person] * len(views)
    if reach.everything:
        return [True] * len(views)
    ours = await reach.ours()
    return [v.id in ours.partners for v in views]
