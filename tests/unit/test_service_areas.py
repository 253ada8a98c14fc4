"""The service areas: every command reaches exactly one handler, the one beside it."""

from __future__ import annotations

import importlib
import pkgutil

import bridgework.services
import pytest
from bridgework.services.areas import AREAS, HANDLERS
from bridgework.services.bus import Handlers
from bridgework.services.command import Command
from bridgework.services.enrolment import EnrollStudent
from bridgework.services.hours import VerifyHours
from bridgework.services.partnerships.collaboration import RecordCheckIn
from bridgework.services.partnerships.lifecycle import ChangeStatus, PartnershipCommand
from bridgework.services.safeguarding import RecordClearance
from bridgework.services.unit_of_work import CommandResult


def every_services_module():
    """Each module under services/: a command anywhere is found."""
    prefix = bridgework.services.__name__ + "."
    for module in pkgutil.walk_packages(bridgework.services.__path__, prefix):
        importlib.import_module(module.name)


def concrete_commands() -> set[type[Command]]:
    every_services_module()
    found, todo = set(), [Command]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("bridgework.services.") and not sub.is_abstract():
                found.add(sub)
    return found


class Ping(Command):
    pass


async def answer(deps, ctx, cmd):
    return CommandResult(id=deps)


async def answer_again(deps, ctx, cmd):
    return CommandResult(id=deps)


def test_every_command_has_exactly_one_handler():
    commands = concrete_commands()
    assert {EnrollStudent, VerifyHours, RecordCheckIn, RecordClearance} <= commands
    assert HANDLERS.commands() == commands
    assert sum(len(area.HANDLERS.commands()) for area in AREAS) == len(commands)


def test_each_area_handles_the_commands_it_declares_and_no_others():
    for area in AREAS:
        declared = {
            value
            for value in vars(area).values()
            if isinstance(value, type)
            and issubclass(value, Command)
            and value.__module__ == area.__name__
            and not value.is_abstract()
        }
        assert area.HANDLERS.commands() == declared, area.__name__
        for command, handler in area.HANDLERS.items():
            assert handler.__module__ == area.__name__, command.__name__


def test_the_bases_of_partnership_commands_are_abstract_and_their_commands_are_not():
    assert PartnershipCommand.is_abstract()
    assert ChangeStatus.is_abstract()
    assert Command.is_abstract()
    assert not Ping.is_abstract()
    assert {c.__name__ for c in ChangeStatus.__subclasses__()} == {
        "ActivatePartnership",
        "SuspendPartnership",
        "ConcludePartnership",
        "RenewPartnership",
    }
    assert not any(c.is_abstract() for c in ChangeStatus.__subclasses__())


def test_a_command_handled_in_two_maps_is_refused_when_they_merge():
    one, two = Handlers(), Handlers()
    one.of(Ping)(answer)
    two.of(Ping)(answer_again)
    with pytest.raises(TypeError) as refused:
        Handlers(one, two)
    assert str(refused.value) == (
        f"Ping is handled twice: by {__name__}.answer and {__name__}.answer_again"
    )


def test_a_command_given_a_second_handler_in_one_map_is_refused():
    handlers = Handlers()
    handlers.of(Ping)(answer)
    with pytest.raises(TypeError, match="Ping is handled twice"):
        handlers.of(Ping)(answer_again)
    assert handlers.commands() == {Ping}


def test_a_base_of_commands_cannot_be_given_a_handler():
    with pytest.raises(TypeError) as refused:
        Handlers().of(ChangeStatus)(answer)
    assert str(refused.value) == "ChangeStatus is a base of commands, never sent itself"


async def test_dispatch_runs_the_handler_of_the_commands_own_type():
    handlers = Handlers()
    handlers.of(Ping)(answer)
    result = await handlers.dispatch("deps", "ctx", Ping())
    assert result == CommandResult(id="deps")


async def test_dispatch_refuses_a_command_no_area_handles():
    with pytest.raises(TypeError) as refused:
        await HANDLERS.dispatch("deps", "ctx", Ping())
    assert str(refused.value) == "no handler for Ping"
