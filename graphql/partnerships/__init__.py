"""Partnerships in the API, as services has them: their life (`lifecycle`), charter
(`charter`: roles, success metrics, health) and collaboration (`collaboration`: liaisons,
contributions, check-ins)."""

from bridgework.graphql.policy import Policies, commands, staff
from bridgework.services.partnerships.charter import HANDLERS as CHARTER
from bridgework.services.partnerships.collaboration import HANDLERS as COLLABORATION
from bridgework.services.partnerships.lifecycle import HANDLERS as LIFECYCLE

POLICIES: Policies = {
    "Query": {"partnership": staff()},
    "Mutation": commands(LIFECYCLE) | commands(CHARTER) | commands(COLLABORATION),
}
"""Who may run each root field of the partnerships' modules (`policy.py`)."""
