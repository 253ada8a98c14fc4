"""The service areas, and the one map from every command to its handler.

A new area adds its module here; `dispatch` then runs its commands, and the test of the
areas checks each command has exactly one handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.services import (
    access,
    achievements,
    applications,
    attendance,
    directory,
    enrolment,
    hours,
    impact,
    mentoring,
    outcomes,
    safeguarding,
    surveys,
    webhooks,
)
from bridgework.services.bus import Handlers
from bridgework.services.partnerships import charter, collaboration, lifecycle

if TYPE_CHECKING:
    from types import ModuleType

    from bridgework.services.command import Command
    from bridgework.services.context import CommandContext
    from bridgework.services.unit_of_work import CommandResult, Deps

AREAS: tuple[ModuleType, ...] = (
    directory,
    lifecycle,
    charter,
    collaboration,
    enrolment,
    applications,
    mentoring,
    safeguarding,
    attendance,
    hours,
    surveys,
    achievements,
    outcomes,
    impact,
    access,
    webhooks,
)
"""Every module that declares commands; each exports its `HANDLERS`."""

HANDLERS = Handlers(*(area.HANDLERS for area in AREAS))


async def dispatch(deps: Deps, ctx: CommandContext, command: Command) -> CommandResult:
    """Run `command` by its handler, whichever area it belongs to: authorise, load, decide,
    append, as `execute` does for every handler."""
    return await HANDLERS.dispatch(deps, ctx, command)
