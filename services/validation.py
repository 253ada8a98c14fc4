"""Moved to `bridgework.services.command.shape`; this re-export goes in issue 11's step 5."""

from bridgework.services.command.shape import (
    EXPECTS,
    MULTILINE,
    Problem,
    camel,
    has_control_characters,
    problems,
    text_problem,
)

__all__ = [
    "EXPECTS",
    "MULTILINE",
    "Problem",
    "camel",
    "has_control_characters",
    "problems",
    "text_problem",
]
