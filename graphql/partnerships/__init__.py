"""Partnerships in the API, as services has them: their life (`lifecycle`), charter
(`charter`: roles, success metrics, health) and collaboration (`collaboration`: liaisons,
contributions, check-ins)."""

from bridgework.projections.health import health

__all__ = ["health"]
"""Re-exported for `tests/unit/test_mentors_and_partnerships.py` until issue 11 is merged:
the rule lives in `projections/health.py`."""
