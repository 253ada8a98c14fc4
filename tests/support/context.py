"""Request contexts for tests that call the service layer directly."""

from __future__ import annotations

from uuid import UUID, uuid4

from bridgework.services.context import Actor, CommandContext, Role

SECRET_KEY = "test-only secret key, at least 32 characters long"  # noqa: S105
"""Signs the links tests issue (the app's and the handlers' alike)."""


def staff(idempotency_key: str | None = None) -> CommandContext:
    """The deployment's own staff (an administrator, who may do what a coordinator may, in
    every organisation): for tests of anything but organisation scoping."""
    return as_actor(Role.ADMINISTRATOR, idempotency_key)


def staff_of(*organisations: UUID, role: Role = Role.COORDINATOR) -> CommandContext:
    """A coordinator (or `role`) of these organisations."""
    return CommandContext(
        actor=Actor(f"test-{role}-of-{len(organisations)}", role, frozenset(organisations)),
        correlation_id=uuid4(),
        command_uuid=uuid4(),
    )


def as_actor(
    role: Role, idempotency_key: str | None = None, subject: str | None = None
) -> CommandContext:
    return CommandContext(
        actor=Actor(subject or f"test-{role}", role),
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
