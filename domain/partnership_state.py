"""What a partnership knows, as its events leave it, and the guards every concept of
`Partnership` (lifecycle, charter, collaboration) applies; set by `Partnership.__init__`."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from bridgework.domain.errors import RuleViolated

if TYPE_CHECKING:
    from bridgework.domain.charter import MetricMeasure


class PartnershipStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CONCLUDED = "concluded"


class PartnershipState:
    """The state of a partnership; the mixins of `Partnership` inherit it to know its shape."""

    name: str
    organisation_ids: tuple[UUID, ...]
    goals: tuple[str, ...]
    status: PartnershipStatus
    metrics: dict[UUID, MetricMeasure]
    retired_metrics: set[UUID]
    liaisons: set[UUID]
    check_in_ids: set[UUID]

    def includes(self, organisation_id: UUID) -> bool:
        return organisation_id in self.organisation_ids

    def _refuse_unless(self, doing: str, *allowed: PartnershipStatus) -> None:
        if self.status not in allowed:
            code = (
                "PARTNERSHIP_CONCLUDED"
                if self.status is PartnershipStatus.CONCLUDED
                else "PARTNERSHIP_STATUS"
            )
            raise RuleViolated(
                code, f"Partnership '{self.name}' is {self.status}, so it cannot be {doing}"
            )

    def _open(self, doing: str) -> None:
        self._refuse_unless(
            doing, PartnershipStatus.PROPOSED, PartnershipStatus.ACTIVE, PartnershipStatus.SUSPENDED
        )

    def _partner(self, organisation_id: UUID, what: str) -> None:
        if not self.includes(organisation_id):
            raise RuleViolated(
                "ORGANISATION_NOT_A_PARTNER",
                f"{what} must come from a partner of '{self.name}'",
            )
