"""Request contexts for tests that call the service layer directly."""

from __future__ import annotations

from uuid import UUID, uuid4

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


def as_person(role: Role, person_id: UUID, idempotency_key: str | None = None) -> CommandContext:
    """A student or mentor acting for themselves (their identity says they are this person)."""
    return CommandContext(
        actor=Actor(str(person_id), role, person=person_id),
        correlation_id=uuid4(),
        command_uuid=uuid4(),
        idempotency_key=idempotency_key,
    )
