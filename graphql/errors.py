"""Errors a front end can switch on.

Expected failures of a mutation are values (`UserError` types in the payload union); every
other error is a GraphQL error with `extensions.code` (`codes.py` gives each its code and
keeps server faults' own text from clients).
"""

from __future__ import annotations

import strawberry
from bridgework.domain.errors import RuleViolated
from bridgework.services.errors import Conflict, Forbidden, InvalidInput, NotFound

from graphql import GraphQLError


@strawberry.interface(description="An expected failure: nothing was changed.")
class UserError:
    message: str


@strawberry.type(description="One input field and what is wrong with its value.")
class FieldProblem:
    field: str = strawberry.field(description="The input field, e.g. `endsOn` or `ids[2]`.")
    message: str = strawberry.field(description="What is wrong, naming the field.")


@strawberry.type(
    description="The input has values that are not allowed: `problems` lists each of them, "
    "`field` and `message` repeat the first."
)
class ValidationError(UserError):
    field: str = strawberry.field(description="The input field, e.g. `endsOn` or `ids[2]`.")
    problems: list[FieldProblem] = strawberry.field(
        description="Every problem found in the input, in the order of its fields."
    )


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
            return invalid(error.problems)
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


def invalid(problems: list[tuple[str, str]]) -> ValidationError:
    """The payload member for an input's problems: (field, message), first one first."""
    field, message = problems[0]
    return ValidationError(
        field=field,
        message=message,
        problems=[FieldProblem(field=f, message=m) for f, m in problems],
    )


BAD_USER_INPUT = "BAD_USER_INPUT"


def bad_input(argument: str, message: str) -> GraphQLError:
    """A query argument the API cannot use, named so the caller can fix it."""
    return bad_field(argument, f"{argument}: {message}")


MOST_DAYS = 366
"""The longest span in days a query's `days`-like argument may ask for."""


def check_days(argument: str, days: int, least: int) -> None:
    """Refuse a `days`-like argument outside `least`..`MOST_DAYS`, naming it."""
    if not least <= days <= MOST_DAYS:
        raise GraphQLError(
            f"{argument} must be {least} to {MOST_DAYS}",
            extensions={"code": BAD_USER_INPUT, "argument": argument},
        )


def bad_field(field: str, sentence: str) -> GraphQLError:
    """An argument (or a part of one: `types[2]`) refused in a sentence that names it."""
    return GraphQLError(sentence, extensions={"code": BAD_USER_INPUT, "field": field})
