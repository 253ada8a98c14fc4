"""Who is asking, and the ids that tie a command to the events it causes."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

import msgspec


class Role(StrEnum):
    COORDINATOR = "coordinator"
    PARTNER_LIAISON = "partner_liaison"
    MENTOR = "mentor"
    STUDENT = "student"
    AUDITOR = "auditor"
    SUPERVISOR = "supervisor"
    """An outside supervisor, acting through a signed link rather than an account."""
    INTEGRATION = "integration"


class Actor(msgspec.Struct, frozen=True):
    """The person or system behind a request; recorded on every event it causes."""

    id: str
    role: Role


class CommandContext(msgspec.Struct, frozen=True, kw_only=True):
    """Per-request facts a handler needs besides the command itself.

    `correlation_id` groups everything one user action caused; `command_uuid` is the
    causation id of the events this command appends; `idempotency_key`, if given, makes a
    retried request return the first result instead of acting twice.
    """

    actor: Actor
    correlation_id: UUID
    command_uuid: UUID
    idempotency_key: str | None = None
