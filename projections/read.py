"""A re-export shim (issue 11): every read-model query, now in its area's module beside the
view it fills (`projections/<area>.py`). Removed once the API imports them from there.

Each takes an asyncpg pool or connection and runs one SQL query; the by-id ones return a
dict keyed by id with missing ids simply absent, which is what a dataloader wants.
"""

from __future__ import annotations

from bridgework.projections.achievements import credentials_of_students, pathways_of_students
from bridgework.projections.attendance import attendance_of_programs, sessions_of_programs
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
from bridgework.projections.hours import (
    hours_entries,
    hours_of_programs,
    hours_of_students,
    hours_totals_of_programs,
)
from bridgework.projections.impact import impact_numbers, impact_report
from bridgework.projections.mentoring import (
    matches_of_mentors,
    matches_of_programs,
    mentor_loads,
    proposals_of_mentors,
    proposals_of_programs,
    quiet_matches,
)
from bridgework.projections.outcomes import program_outcomes, showcases_of_programs
from bridgework.projections.partnerships import (
    check_ins,
    contributions,
    liaisons,
    partner_roles,
    partnership_states,
    partnership_transitions,
    success_metrics,
)
from bridgework.projections.safeguarding import (
    clearances_expiring,
    clearances_of_mentors,
    consents_of_students,
)
from bridgework.projections.surveys import (
    evaluations_of_students,
    survey_deltas,
    survey_deltas_of_programs,
    surveys_of_students,
)
from bridgework.projections.timeline import timelines

__all__ = [
    "attendance_of_programs",
    "check_ins",
    "clearances_expiring",
    "clearances_of_mentors",
    "consents_of_students",
    "contributions",
    "credentials_of_students",
    "enrolments_of_programs",
    "enrolments_of_students",
    "evaluations_of_students",
    "hours_entries",
    "hours_of_programs",
    "hours_of_students",
    "hours_totals_of_programs",
    "impact_numbers",
    "impact_report",
    "liaisons",
    "list_programs",
    "matches_of_mentors",
    "matches_of_programs",
    "mentor_loads",
    "mentors",
    "organisations",
    "partner_roles",
    "partnership_states",
    "partnership_transitions",
    "partnerships",
    "pathways_of_students",
    "program_enrolments",
    "program_outcomes",
    "programs",
    "programs_of_partnerships",
    "proposals_of_mentors",
    "proposals_of_programs",
    "quiet_matches",
    "sessions_of_programs",
    "showcases_of_programs",
    "students",
    "success_metrics",
    "survey_deltas",
    "survey_deltas_of_programs",
    "surveys_of_students",
    "timelines",
]
