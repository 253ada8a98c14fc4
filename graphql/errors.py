"""Errors a front end can switch on.

Expected failures of a mutation are values (`UserError` types in the payload union); bad
query arguments are GraphQL errors with `extensions.code`; anything else is unexpected and
goes to `errors` as it is.
"""

from __future__ import annotations

import strawberry
from bridgework.domain.errors import RuleViolated
from bridgework.services.errors import Conflict, Forbidden, InvalidInput, NotFound

from graphql import GraphQLError


@strawberry.interface(description="An expected failure: nothing was changed.")
class UserError:
    message: str


@strawberry.type(description="An input field has a value that is not allowed.")
class ValidationError(UserError):
    field: str = strawberry.field(description="The input field, e.g. `endsOn` or `ids[2]`.")


@strawberry.type(description="An id in the input refers to nothing of the expected kind.")
class NotFoundError(UserError):
    field: str = strawberry.field(description="The input field that holds the unknown id.")


@strawberry.type(description="The request collided with other changes or reused a key.")
class ConflictError(UserError):
    pass


@strawberry.type(description="A program rule refused the change; `rule` is a stable code.")
class RuleViolationError(UserError):
    rule: str


@strawberry.type(description="The actor may not do this.")
class ForbiddenError(UserError):
    pass


Failure = ValidationError | NotFoundError | ConflictError | RuleViolationError | ForbiddenError


def failure_of(error: Exception) -> Failure | None:
    """The typed error for an expected service or domain failure; None for the unexpected."""
    match error:
        case InvalidInput():
            return ValidationError(message=error.message, field=error.field)
        case NotFound():
            return NotFoundError(message=error.message, field=error.field or "")
        case RuleViolated():
            return RuleViolationError(message=error.message, rule=error.rule)
        case Conflict():
            return ConflictError(message=error.message)
        case Forbidden():
            return ForbiddenError(message=error.message)
        case _:
            return None


def bad_input(argument: str, message: str) -> GraphQLError:
    """A query argument the API cannot use, named so the caller can fix it."""
    return GraphQLError(f"{argument}: {message}", extensions={"code": "BAD_USER_INPUT"})
