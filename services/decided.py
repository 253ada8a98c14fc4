"""What one command decided to write, and checking a group of them appended as one
(`EventStore.append_group`, the group commit of `services/unit_of_work.py`)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from bridgework.services.ports import CommandRecord, OutgoingMail, StreamAppend


class Decided(msgspec.Struct, frozen=True, kw_only=True):
    """One command's share of a group append (`EventStore.append_group`)."""

    appends: Sequence[StreamAppend]
    command: CommandRecord | None = None
    mail: Sequence[OutgoingMail] = ()


def first_appends(group: Sequence[Decided]) -> list[StreamAppend]:
    """Each stream's first append in a group, once every later one is found to continue it."""
    next_version: dict[str, int] = {}
    first = []
    for part in group:
        for a in part.appends:
            a.check()
            if a.stream_id not in next_version:
                first.append(a)
            elif a.expected_version != next_version[a.stream_id]:
                raise ValueError(f"appends to {a.stream_id!r} must continue each other in order")
            next_version[a.stream_id] = a.expected_version + len(a.events)
    return first
