"""Partnerships in the API, as services has them: their life (`lifecycle`), charter
(`charter`: roles, success metrics, health) and collaboration (`collaboration`: liaisons,
contributions, check-ins)."""
