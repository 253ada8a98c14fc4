"""Who is asking, and the ids that tie a command to the events it causes."""

from __future__ import annotations

from uuid import UUID

import msgspec
from bridgework.services.errors import Forbidden
from bridgework.services.identity import Principal, Role

__all__ = ["Actor", "CommandContext", "Role", "actor_of"]


class Actor(msgspec.Struct, frozen=True):
    """The person or system behind a command, in the one role it acts in; recorded on every
    event it causes (`<role>:<id>`, with its organisations)."""

    id: str
    """The verified subject (`sub` of a token, `apikey:<id>`, `link:<log>`)."""
    role: Role
    organisations: frozenset[UUID] = frozenset()
    person: UUID | None = None
    """The student or mentor this actor is, when it acts as one (`authorise_self`)."""


def actor_of(principal: Principal, allowed: frozenset[Role]) -> Actor:
    """The actor a verified principal is for a command the `allowed` roles may send: the
    first of its roles the command allows (an administrator counts as a coordinator), or,
    when none is, its first role, which `authorise` then refuses."""
    mine = [r for r in Role if r in principal.roles]
    if not mine:
        raise Forbidden(f"{principal.subject!r} holds no role Bridgework knows")
    usable = [r for r in mine if may_act_as(r, allowed)]
    role = (usable or mine)[0]
    person = {Role.STUDENT: principal.student_id, Role.MENTOR: principal.mentor_id}.get(role)
    return Actor(principal.subject, role, principal.organisations, person)


def may_act_as(role: Role, allowed: frozenset[Role]) -> bool:
    """The deployment's administrator may do whatever a coordinator may."""
    return role in allowed or (role is Role.ADMINISTRATOR and Role.COORDINATOR in allowed)


class CommandContext(msgspec.Struct, frozen=True, kw_only=True):
    """Per-request facts a handler needs besides the command itself.

    `correlation_id` groups everything one user action caused (made by the server);
    `client_correlation_id` is the one the client sent, if any, kept beside it;
    `command_uuid` is the causation id of the events this command appends;
    `idempotency_key`, if given, makes a retried request return the first result instead of
    acting twice.
    """

    actor: Actor
    correlation_id: UUID
    command_uuid: UUID
    idempotency_key: str | None = None
    client_correlation_id: str | None = None
    principal: Principal | None = None
    """The verified identity behind `actor`, with its scopes (an API key's event types, a
    grant of personal data), for handlers that hand a scope on (a webhook endpoint's)."""
