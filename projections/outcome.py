"""A re-export shim (issue 11): the `outcome` projection is now the `outcomes` area."""

from __future__ import annotations

from bridgework.projections.outcomes import (
    Outcome,
    ProgramOutcomeView,
    ShowcaseView,
    program_outcomes,
    showcases_of_programs,
)

__all__ = [
    "Outcome",
    "ProgramOutcomeView",
    "ShowcaseView",
    "program_outcomes",
    "showcases_of_programs",
]
