"""Errors the service layer raises; each maps to a typed GraphQL error."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID


class ServiceError(Exception):
    """Base class: an expected failure with a message a person can act on."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class InvalidInput(ServiceError):
    """The command is malformed.

    `field` names the input field as callers spell it: `startsOn`, `presenterIds[2]`;
    `problems` lists every (field, message) found, this first one included.
    """

    def __init__(self, field: str, message: str, problems: Sequence[tuple[str, str]] = ()) -> None:
        self.field = field
        self.problems = list(problems) or [(field, message)]
        super().__init__(message)


class NotFound(ServiceError):
    def __init__(self, kind: str, id: UUID, field: str | None = None) -> None:  # noqa: A002
        self.kind = kind
        self.id = id
        self.field = field
        super().__init__(f"No {kind} with id {id}")


class Forbidden(ServiceError):
    """The actor's role may not run this command."""


class Conflict(ServiceError):
    """The command lost a race too many times, or reused an idempotency key for other input."""
