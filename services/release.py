"""What of a recorded event a caller is shown: its personal fields (the inventory,
`domain/personal.py`) are released only to callers granted personal data
(`Principal.personal_data`), and those its data subject alone may see (self-reported
demographics) to no one through the log."""

from __future__ import annotations

from typing import Any

from bridgework.domain.personal import PERSONAL, SUBJECT_ONLY


def redact(event_type: str, payload: dict[str, Any], *, personal_data: bool) -> list[str]:
    """Set to None, in `payload`, each personal field the caller may not see; return their
    names."""
    withheld = SUBJECT_ONLY.get(event_type, frozenset())
    redacted = [
        f
        for f in PERSONAL.get(event_type, {})
        if f in payload and (not personal_data or f in withheld)
    ]
    for f in redacted:
        payload[f] = None
    return redacted
