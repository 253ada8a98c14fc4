"""The field types commands share, each with its limits and, where a pattern needs one, its
meaning in words for the error message.

Every string type is single-line unless it says MULTILINE: `shape` refuses control
characters in all of them, and tabs and line breaks in single-line ones.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from bridgework.services.command.shape import EXPECTS, MULTILINE

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
"""A name or a title: required, and not blank."""
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"\S")]
"""A short answer, required and not blank: a relationship, a demographic answer."""
Line = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"\S")]
"""One line of a list: a commitment, a decision, an action."""
Lines = Annotated[list[Line], msgspec.Meta(max_length=50)]
Text = Annotated[str, msgspec.Meta(max_length=2000, extra=MULTILINE)]
"""Optional free text: a note, a statement, comments."""
Prose = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"\S", extra=MULTILINE)]
"""Required free text, not blank: what was done, why something was refused or ended."""
Reason = Prose
"""Why something was refused, withdrawn or ended: required, and not blank."""
Capacity = Annotated[int, msgspec.Meta(ge=1, le=10_000)]
MentorCapacity = Annotated[int, msgspec.Meta(ge=1, le=50)]
Grade = Annotated[int, msgspec.Meta(ge=0, le=12)]
Key = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z][a-z0-9_]{0,63}$",
        extra={EXPECTS: "a key of lower-case letters, digits and _ like confidence_lab_techniques"},
    ),
]
"""A stable identifier people choose, e.g. a survey question: `confidence_lab_techniques`."""
Email = Annotated[
    str,
    msgspec.Meta(
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        extra={EXPECTS: "an e-mail address like ana@example.org"},
    ),
]
Phone = Annotated[
    str,
    msgspec.Meta(
        max_length=40,
        pattern=r"^[+0-9 ()./-]{5,}$",
        extra={EXPECTS: "a phone number of at least 5 digits, spaces and +()./-"},
    ),
]
Currency = Annotated[
    str, msgspec.Meta(pattern=r"^[A-Z]{3}$", extra={EXPECTS: "a three-letter currency like EUR"})
]
IdempotencyKey = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
"""Sent beside a command, not in it: checked by the same rules."""
