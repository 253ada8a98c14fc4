"""Who may send a command, and which records it may touch.

Three checks, in this order: the command's roles (`authorise`), a student or mentor acting
only for themselves (`authorise_self`), and organisation scoping (`refuse_out_of_scope`):
staff of an organisation — coordinators, partner liaisons, integrations — change only
records of their organisations (a record's `scope`: a student's school, a partnership's
members, a program's partners…) and reach only students of their own school or of a
program of theirs. The deployment's administrators reach every organisation; students and
mentors are held to their own records by `authorise_self`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.domain.mentor import Mentor
from bridgework.domain.program import Program
from bridgework.domain.student import Student
from bridgework.services.context import Role, may_act_as
from bridgework.services.errors import Forbidden

if TYPE_CHECKING:
    from collections.abc import Iterable
    from uuid import UUID

    from bridgework.domain.base import BridgeworkAggregate
    from bridgework.services.command.base import Command
    from bridgework.services.context import Actor, CommandContext

SCOPED_ROLES = frozenset({Role.COORDINATOR, Role.PARTNER_LIAISON, Role.INTEGRATION})
"""Roles that act for their organisations only."""


def authorise(actor: Actor, command: Command) -> None:
    """Each command names the roles that may send it (coordinators, unless it says more)."""
    if not may_act_as(actor.role, command.allowed_roles):
        raise Forbidden(f"{actor.role} {actor.id!r} may not {type(command).__name__}")


def authorise_self(ctx: CommandContext, role: Role, person_id: UUID, may: str) -> None:
    """A student or mentor acts only for themselves: the student or mentor their verified
    identity says they are must be `person_id`; other roles are left to `authorise`."""
    if ctx.actor.role is role and ctx.actor.person != person_id:
        raise Forbidden(f"{role} {ctx.actor.id!r} may {may}")


def in_scope(actor: Actor, aggregate: BridgeworkAggregate) -> bool:
    return not actor.organisations.isdisjoint(aggregate.scope)


class Reach:
    """What one attempt's actor may reach, kept as records load (`Session.get`): a
    scoped actor reaches a student of another school who took part in one of its
    programs before this command (an attendance mark), not one this command brings in."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.scoped = actor.role in SCOPED_ROLES
        self._participants: set[UUID] = set()

    def loaded(self, aggregate: BridgeworkAggregate) -> None:
        if self.scoped and isinstance(aggregate, Program) and in_scope(self.actor, aggregate):
            self._participants |= participants(aggregate)

    def refuse_out_of_scope(self, touched: Iterable[tuple[BridgeworkAggregate, bool]]) -> None:
        """Refuse a command that changes (`True`) a record outside the actor's
        organisations, or reaches a student of another school who takes no part in a
        program of theirs. A mentor of a partner organisation may be matched in a program
        of theirs that changes with it; a record only looked up (an organisation named as a
        partner) is not refused."""
        if not self.scoped:
            return
        touched = list(touched)
        ours_changed = any(
            changed and isinstance(a, Program) and in_scope(self.actor, a) for a, changed in touched
        )
        for aggregate, changed in touched:
            if in_scope(self.actor, aggregate) or not (changed or isinstance(aggregate, Student)):
                continue
            if isinstance(aggregate, Mentor) and ours_changed:
                continue
            if (
                isinstance(aggregate, Student)
                and not changed
                and aggregate.id in self._participants
            ):
                continue
            what = f"{type(aggregate).__name__.lower()} {aggregate.id}"
            actor = self.actor
            raise Forbidden(
                f"{actor.role} {actor.id!r} may not reach {what}: not of your organisations"
            )


def participants(program: Program) -> set[UUID]:
    """Students who applied to, wait for, are enrolled in or completed the program."""
    return {*program.enrolled, *program.waitlist, *program.completed, *program.applications}
