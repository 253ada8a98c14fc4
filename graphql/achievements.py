"""Achievements in the API: the credentials students earned and where they went next."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated
from uuid import UUID

import strawberry
from bridgework.graphql import loaders
from bridgework.graphql.context import Info
from bridgework.graphql.enums import Pathway
from bridgework.graphql.errors import Failure
from bridgework.graphql.policy import Policies, commands
from bridgework.graphql.run import IDEMPOTENCY_KEY, Recorded, run
from bridgework.graphql.shapes import copied, ident, maybe_ident
from bridgework.projections.achievements import (
    CredentialView,
    PathwayView,
    credentials_of_students,
    pathways_of_students,
)
from bridgework.services.achievements import HANDLERS, RecordCredential, RecordPathway
from bridgework.services.unit_of_work import CommandResult

CREDENTIALS_OF_STUDENT = loaders.many(credentials_of_students)
PATHWAYS_OF_STUDENT = loaders.many(pathways_of_students)


def _maybe(value: UUID | None) -> strawberry.ID | None:
    return None if value is None else ident(value)


@strawberry.type
class Credential:
    """A skill or credential a student earned."""

    id: strawberry.ID
    name: str
    issuer: str
    earned_on: date
    program_id: strawberry.ID | None

    @classmethod
    def from_view(cls, v: CredentialView) -> Credential:
        return copied(cls, v, id=ident(v.id), program_id=maybe_ident(v.program_id))


@strawberry.type
class StudentPathway:
    """Where a student went next, and which program led there."""

    id: strawberry.ID
    pathway: Pathway
    organisation: str
    on: date
    program_id: strawberry.ID | None

    @classmethod
    def from_view(cls, v: PathwayView) -> StudentPathway:
        return copied(
            cls, v, id=ident(v.id), pathway=Pathway(v.pathway), program_id=maybe_ident(v.program_id)
        )


async def credentials_of(info: Info, student_id: UUID) -> list[Credential]:
    return [Credential.from_view(v) for v in await CREDENTIALS_OF_STUDENT.load(info, student_id)]


async def pathways_of(info: Info, student_id: UUID) -> list[StudentPathway]:
    found = await PATHWAYS_OF_STUDENT.load(info, student_id)
    return [StudentPathway.from_view(v) for v in found]


@strawberry.type
class OutcomeRecorded(Recorded):
    """The credential or pathway is on record."""

    id: strawberry.ID
    student_id: strawberry.ID


OutcomePayload = Annotated[OutcomeRecorded | Failure, strawberry.union("OutcomePayload")]


@strawberry.input
class RecordCredentialInput:
    """A credential earned, optionally through a program the student took part in."""

    student_id: strawberry.ID
    name: str
    issuer: str
    earned_on: date
    program_id: strawberry.ID | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class RecordPathwayInput:
    """Where a student went next; an offer or apprenticeship counts as a placement."""

    student_id: strawberry.ID
    pathway: Pathway
    on: date
    organisation: str = ""
    program_id: strawberry.ID | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


def _recorded(
    input: RecordCredentialInput | RecordPathwayInput,
) -> Callable[[CommandResult], OutcomeRecorded]:
    return lambda r: OutcomeRecorded(
        id=ident(r.id), student_id=input.student_id, position=r.position
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Record a skill or credential a student earned.")
    async def record_credential(self, info: Info, input: RecordCredentialInput) -> OutcomePayload:
        return await run(info, RecordCredential, input, _recorded(input))

    @strawberry.mutation(description="Record where a student went next.")
    async def record_pathway(self, info: Info, input: RecordPathwayInput) -> OutcomePayload:
        return await run(info, RecordPathway, input, _recorded(input))


POLICIES: Policies = {"Mutation": commands(HANDLERS)}
"""Who may run each root field of this area (`policy.py`)."""
