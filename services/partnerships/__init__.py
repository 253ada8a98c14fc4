"""Partnerships, by concept: `lifecycle` (forming, status, the base command), `charter`
(roles, success metrics), `collaboration` (liaisons, contributions, check-ins)."""
