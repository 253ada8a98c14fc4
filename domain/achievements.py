"""What a student achieved: credentials earned and the pathways they went on to."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from bridgework.domain.errors import RuleViolated
from bridgework.domain.student_state import StudentState, not_after
from eventsourcing.domain import Aggregate, event


class Pathway(StrEnum):
    """Where a student went after a program."""

    COLLEGE_STEM = "college_stem"
    INTERNSHIP_OFFER = "internship_offer"
    JOB_OFFER = "job_offer"
    APPRENTICESHIP = "apprenticeship"


PLACEMENTS = frozenset({Pathway.INTERNSHIP_OFFER, Pathway.JOB_OFFER, Pathway.APPRENTICESHIP})
"""Pathways that count as a placement in partnership metrics."""


class Achievements(StudentState):
    """Credentials and pathways of a student (a mixin of `Student`)."""

    class CredentialEarned(Aggregate.Event):
        credential_id: UUID
        program_id: UUID | None
        name: str
        issuer: str
        earned_on: date

    class PathwayRecorded(Aggregate.Event):
        pathway_id: UUID
        program_id: UUID | None
        """The program that led there, if any."""
        pathway: Pathway
        organisation: str
        on: date

    def earn_credential(
        self,
        *,
        credential_id: UUID,
        program_id: UUID | None,
        name: str,
        issuer: str,
        earned_on: date,
        at: datetime,
    ) -> None:
        not_after("A credential", earned_on, at)
        if (name.casefold(), program_id) in self.credentials:
            raise RuleViolated(
                "CREDENTIAL_EXISTS", f"{self.name} already has the credential '{name}'"
            )
        self._earn(
            credential_id=credential_id,
            program_id=program_id,
            name=name,
            issuer=issuer,
            earned_on=earned_on,
            timestamp=at,
        )

    @event(CredentialEarned)
    def _earn(
        self,
        credential_id: UUID,
        program_id: UUID | None,
        name: str,
        issuer: str,
        earned_on: date,
        timestamp: datetime,
    ) -> None:
        self.credentials.add((name.casefold(), program_id))

    def record_pathway(
        self,
        *,
        pathway_id: UUID,
        program_id: UUID | None,
        pathway: Pathway,
        organisation: str,
        on: date,
        at: datetime,
    ) -> None:
        not_after("A pathway", on, at)
        self._pathway(
            pathway_id=pathway_id,
            program_id=program_id,
            pathway=pathway,
            organisation=organisation,
            on=on,
            timestamp=at,
        )

    @event(PathwayRecorded)
    def _pathway(
        self,
        pathway_id: UUID,
        program_id: UUID | None,
        pathway: Pathway,
        organisation: str,
        on: date,
        timestamp: datetime,
    ) -> None:
        pass
