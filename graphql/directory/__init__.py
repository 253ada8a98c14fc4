"""The directory in the API: organisations, programs, students and mentors, the objects every
other area hangs its facts on (each a module of its own)."""

from bridgework.graphql.policy import Policies, commands, own_mentor, own_student, staff
from bridgework.services.directory import HANDLERS

POLICIES: Policies = {
    "Query": {
        "organization": staff(),
        "program": staff(),
        "programs": staff(),
        "student": own_student("id"),
        "mentor": own_mentor("id"),
    },
    "Mutation": commands(HANDLERS),
}
"""Who may run each root field of the directory's modules (`policy.py`)."""
