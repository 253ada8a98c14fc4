"""Partnership commands built from plain fields, through the same parse as the API's."""

from __future__ import annotations

from typing import Any

from bridgework.services.command.base import parse


def cmd(command_type: type[Any], **data: Any) -> Any:
    return parse(command_type, data)
