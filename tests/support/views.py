"""The views as a whole, to compare: a digest of each projection table's rows."""

from __future__ import annotations

import hashlib

from bridgework.projections.registry import default_projections


async def view_digests(pool) -> dict[str, str]:
    """A SHA-256 of each projection table's rows, in a total order."""
    digests = {}
    for table in sorted(t for p in default_projections() for t in p.tables):
        rows = sorted(repr(tuple(r)) for r in await pool.fetch(f"SELECT * FROM {table}"))  # noqa: S608
        digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests
