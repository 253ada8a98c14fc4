"""Every read-model query in one place for the API: `await read.programs(pool, ids)`.

Each takes an asyncpg pool or connection and runs one SQL query; the by-id ones return a
dict keyed by id with missing ids simply absent, which is what a dataloader wants.
"""

from __future__ import annotations

from bridgework.projections.directory import (
    list_programs,
    mentors,
    organisations,
    partnerships,
    programs,
    programs_of_partnerships,
    students,
)
from bridgework.projections.enrolment import (
    enrolments_of_programs,
    enrolments_of_students,
    program_enrolments,
)
from bridgework.projections.outcome import program_outcomes, showcases_of_programs

__all__ = [
    "enrolments_of_programs",
    "enrolments_of_students",
    "list_programs",
    "mentors",
    "organisations",
    "partnerships",
    "program_enrolments",
    "program_outcomes",
    "programs",
    "programs_of_partnerships",
    "showcases_of_programs",
    "students",
]
