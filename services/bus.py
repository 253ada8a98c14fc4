"""One command → handler map per area, and running a command by its type.

An area declares `HANDLERS = Handlers()` and puts `@HANDLERS.of(EnrollStudent)` above each
handler; `services/areas.py` merges every area's map into the one `dispatch`, so a caller
says which command, never which handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, ItemsView
from typing import Any, TypeAlias, TypeVar

from bridgework.services.command import Command
from bridgework.services.context import CommandContext
from bridgework.services.unit_of_work import CommandResult, Deps

C = TypeVar("C", bound=Command)
Handler: TypeAlias = Callable[[Deps, CommandContext, C], Awaitable[CommandResult]]


class Handlers:
    """A command → handler map. `Handlers(*maps)` merges several; a command handled twice,
    or a base that is never sent, is a `TypeError` as the modules load, so no caller can
    reach the wrong handler."""

    def __init__(self, *maps: Handlers) -> None:
        self._by_command: dict[type[Command], Handler[Any]] = {}
        for other in maps:
            for command, handler in other.items():
                self._add(command, handler)

    def of(self, command: type[C]) -> Callable[[Handler[C]], Handler[C]]:
        """Register the decorated function as `command`'s handler (mypy checks they agree)."""

        def register(handler: Handler[C]) -> Handler[C]:
            self._add(command, handler)
            return handler

        return register

    def _add(self, command: type[Command], handler: Handler[Any]) -> None:
        if command.is_abstract():
            raise TypeError(f"{command.__name__} is a base of commands, never sent itself")
        if (known := self._by_command.get(command)) is not None:
            raise TypeError(
                f"{command.__name__} is handled twice: by {known.__module__}.{known.__name__}"
                f" and {handler.__module__}.{handler.__name__}"
            )
        self._by_command[command] = handler

    def items(self) -> ItemsView[type[Command], Handler[Any]]:
        """Each command with its handler."""
        return self._by_command.items()

    def commands(self) -> frozenset[type[Command]]:
        """The commands this map handles."""
        return frozenset(self._by_command)

    async def dispatch(self, deps: Deps, ctx: CommandContext, command: Command) -> CommandResult:
        """Run `command` by the handler of its exact type."""
        handler = self._by_command.get(type(command))
        if handler is None:
            raise TypeError(f"no handler for {type(command).__name__}")
        return await handler(deps, ctx, command)
