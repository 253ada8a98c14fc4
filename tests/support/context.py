"""Request contexts for tests that call the service layer directly."""

from __future__ import annotations

from uuid import uuid4

from bridgework.services.context import Actor, CommandContext, Role


def coordinator(idempotency_key: str | None = None) -> CommandContext:
    return as_actor(Role.COORDINATOR, idempotency_key)


def as_actor(role: Role, idempotency_key: str | None = None) -> CommandContext:
    return CommandContext(
        actor=Actor(f"test-{role}", role),
        correlation_id=uuid4(),
        command_uuid=uuid4(),
        idempotency_key=idempotency_key,
    )
