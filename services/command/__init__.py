"""What a caller asks for: the `Command` base and `parse()` (`base`), the field types
commands share (`fields`), and the shape rules every input is checked by (`shape`).

Each area's commands live in its own module beside their handlers (`services/enrolment.py`).
"""

from bridgework.services.command.base import Command, parse
from bridgework.services.command.fields import (
    Capacity,
    Currency,
    Email,
    Grade,
    IdempotencyKey,
    Key,
    Line,
    Lines,
    MentorCapacity,
    Name,
    Phone,
    Prose,
    Reason,
    ShortText,
    Text,
)
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
    "Capacity",
    "Command",
    "Currency",
    "Email",
    "Grade",
    "IdempotencyKey",
    "Key",
    "Line",
    "Lines",
    "MentorCapacity",
    "Name",
    "Phone",
    "Problem",
    "Prose",
    "Reason",
    "ShortText",
    "Text",
    "camel",
    "has_control_characters",
    "parse",
    "problems",
    "text_problem",
]
