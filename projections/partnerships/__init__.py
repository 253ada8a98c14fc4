"""`partnerships`: each partnership's life (`lifecycle`), its charter of roles and success
metrics (`charter`, judged by `health`), and how its partners work together
(`collaboration`: liaisons, contributions, check-ins).

One projection writes the three: each part declares its tables, the events it handles and
its statements in the order they are written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bridgework.projections.batch import Writes
from bridgework.projections.partnerships import charter, collaboration, lifecycle
from bridgework.projections.partnerships.charter import (
    MetricValueView,
    PartnerRoleView,
    SuccessMetricView,
    partner_roles,
    success_metrics,
)
from bridgework.projections.partnerships.collaboration import (
    CheckInView,
    ContributionView,
    FollowUpView,
    LiaisonView,
    check_ins,
    contributions,
    liaisons,
)
from bridgework.projections.partnerships.lifecycle import (
    PartnershipStateView,
    PartnershipTransitionView,
    partnership_states,
    partnership_transitions,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bridgework.projections.db import Connection
    from bridgework.services.ports import StoredEvent

_PARTS = (lifecycle, charter, collaboration)
_WRITERS = {name: part.write for part in _PARTS for name in part.HANDLES}


class Partnerships:
    name = "partnerships"
    version = 2
    schema = "".join(part.SCHEMA for part in _PARTS)
    tables = tuple(table for part in _PARTS for table in part.TABLES)
    handles = frozenset(_WRITERS)

    async def apply_batch(
        self, conn: Connection, events: Sequence[tuple[StoredEvent, Any]]
    ) -> None:
        # Each part's rows touch only its own tables, in its own declared order.
        writes = Writes(*(statement for part in _PARTS for statement in part.STATEMENTS))
        for event, e in events:
            if event.event_type not in _WRITERS:
                raise TypeError(f"partnerships does not handle {event.event_type}")
            _WRITERS[event.event_type](writes, event, e)
        await writes.flush(conn)


PROJECTIONS = (Partnerships,)
"""This area's read models."""

__all__ = [
    "PROJECTIONS",
    "CheckInView",
    "ContributionView",
    "FollowUpView",
    "LiaisonView",
    "MetricValueView",
    "PartnerRoleView",
    "PartnershipStateView",
    "PartnershipTransitionView",
    "Partnerships",
    "SuccessMetricView",
    "check_ins",
    "contributions",
    "liaisons",
    "partner_roles",
    "partnership_states",
    "partnership_transitions",
    "success_metrics",
]
