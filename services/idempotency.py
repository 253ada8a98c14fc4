"""A command's result and its idempotency record: a request sent again with its key gets
the first answer, never a second decision."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec
from bridgework.services.errors import Conflict

if TYPE_CHECKING:
    from bridgework.services.command.base import Command
    from bridgework.services.ports import EventStore, StoredCommand


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a handled command reports: the id it concerns and the log position it wrote."""

    id: UUID
    position: int = 0
    status: str | None = None
    message: str | None = None
    about: UUID | None = None
    """The student the message names, if any: the idempotency record seals it with their key."""


def request_hash(command: Command) -> str:
    body = type(command).__name__.encode() + b":" + msgspec.json.encode(command)
    return hashlib.sha256(body).hexdigest()


def replay(stored: StoredCommand, expected_hash: str) -> CommandResult:
    """The first request's result, for a request with the same key and body."""
    if stored.request_hash != expected_hash:
        raise Conflict(
            f"idempotencyKey {stored.command_id!r} was already used for a different request"
        )
    first = msgspec.json.decode(stored.result, type=CommandResult)
    return msgspec.structs.replace(first, position=stored.position)


async def first_result(store: EventStore, key: str | None, digest: str) -> CommandResult | None:
    """The result recorded under this idempotency key, if a request with it has committed."""
    if key is None:
        return None
    stored = await store.find_command(key)
    return None if stored is None else replay(stored, digest)
