"""Request contexts for tests that call the service layer directly."""

from __future__ import annotations

from uuid import uuid4

from bridgework.services.context import Actor, CommandContext, Role

SECRET_KEY = "test-only secret key, at least 32 characters long"  # noqa: S105
"""Signs the links tests issue (the app's and the handlers' alike)."""


def coordinator(idempotency_key: str | None = None) -> CommandContext:
    return as_actor(Role.COORDINATOR, idempotency_key)


def as_actor(role: Role, idempotency_key: str | None = None) -> CommandContext:
    return CommandContext(
        actor=Actor(f"test-{role}", role),
        correlation_id=uuid4(),
        command_uuid=uuid4(),
        idempotency_key=idempotency_key,
    )


def as_person(role: Role, person_id: object, idempotency_key: str | None = None) -> CommandContext:
    """A student or mentor acting for themselves: the actor's id is their own id."""
    return CommandContext(
        actor=Actor(str(person_id), role),
        correlation_id=uuid4(),
        command_uuid=uuid4(),
        idempotency_key=idempotency_key,
    )
