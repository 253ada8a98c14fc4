"""Every mutation runs its command through `run`: the input parsed into the command struct,
the command dispatched to its area's handler, expected failures turned into the payload's
typed errors (`errors.py`), and the result into the payload's success type."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID, uuid4

import strawberry
from bridgework.graphql.context import Info
from bridgework.graphql.errors import Failure, failure_of, invalid
from bridgework.graphql.loaders import Loader
from bridgework.services.areas import dispatch
from bridgework.services.command import Command, IdempotencyKey, parse, problems
from bridgework.services.context import CommandContext, actor_of
from bridgework.services.errors import InvalidInput
from bridgework.services.identity import Principal, Role
from bridgework.services.unit_of_work import CommandResult

IDEMPOTENCY_KEY = (
    "Any string unique to this request (at most 200 characters). Sending the same key again "
    "returns the first result and changes nothing."
)
AS_VIEWED = "As the views show it once they include this write (waits briefly for them)."

S = TypeVar("S")
V = TypeVar("V")


@strawberry.interface
class Recorded:
    """A command that was recorded."""

    position: int = strawberry.field(
        description="The log position written: pass it as `atLeast` to read your own write."
    )


def _plain(value: Any) -> Any:
    """An input as plain data for `parse`: enums by value, decimals as text, nested inputs
    as dicts."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "__strawberry_definition__"):
        return {k: _plain(v) for k, v in vars(value).items()}
    return value


LINK_HOLDER = Principal(subject="link", roles=frozenset({Role.SUPERVISOR}))
"""Who sends a command without a token: only a link's field can (`policy.only_link_fields`),
and its handler names the link itself as the actor."""


async def run(
    info: Info, command_type: type[Command], given: object, success: Callable[[CommandResult], S]
) -> S | Failure:
    """Validate `given` (a mutation's input) into a `command_type`, run it, and answer with
    `success(result)` or the typed failure."""
    ctx = info.context
    data = {k: _plain(v) for k, v in vars(given).items() if k != "idempotency_key"}
    key: str | None = getattr(given, "idempotency_key", None)
    found = [] if key is None else problems(key, IdempotencyKey, "idempotencyKey")
    try:
        command = parse(command_type, data)
    except InvalidInput as e:
        return invalid(e.problems + found)
    if found:
        return invalid(found)
    try:
        context = CommandContext(
            actor=actor_of(ctx.principal or LINK_HOLDER, command.allowed_roles),
            correlation_id=ctx.correlation_id,
            command_uuid=uuid4(),
            idempotency_key=key,
            client_correlation_id=ctx.client_correlation_id,
            principal=ctx.principal,
        )
        result = await dispatch(ctx.api.deps, context, command)
    except Exception as e:
        if (failure := failure_of(e)) is None:
            raise
        return failure
    return success(result)


async def viewed(
    info: Info, position: int, loader: Loader[V, None], id_: str, make: Callable[[V], S]
) -> S | None:
    """Read-your-writes for a payload's object: wait for `position`, then load it and `make`
    its type (None if the views do not have it)."""
    await info.context.see_at_least(position)
    found = await loader.load(info, UUID(id_))
    return None if found is None else make(found)
