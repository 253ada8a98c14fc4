"""Who a verified caller is: the principal a policy decides on.

Built by infra/auth from a bearer token or an API key, never from anything a client merely
says. It is meant to replace `context.Actor` (one role, an id) once policies are wired in:
a person can hold several roles, belong to several organisations and be a student or a
mentor, and an integration's key carries scopes besides.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

import msgspec

if TYPE_CHECKING:
    from collections.abc import Iterable


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    """The deployment's own: registers organisations and appoints their first coordinators."""
    COORDINATOR = "coordinator"
    """Staff of an organisation."""
    PARTNER_LIAISON = "partner_liaison"
    MENTOR = "mentor"
    STUDENT = "student"
    AUDITOR = "auditor"
    """Reads everything, including the log; changes nothing."""
    INTEGRATION = "integration"
    """A system holding an API key, limited by the key's scopes."""
    SUPERVISOR = "supervisor"
    """An outside supervisor, acting through a signed link rather than an account."""


READ_ONLY_ROLES = frozenset({Role.AUDITOR})


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """A verified identity: who, in which roles, for which organisations and people."""

    subject: str
    """The issuer's stable id of the person (`sub`), or `apikey:<id>` for an integration."""
    roles: frozenset[Role]
    organisations: frozenset[UUID] = frozenset()
    """The organisations this principal is staff of (or, for a key, is scoped to)."""
    student_id: UUID | None = None
    """Set when the person is this student."""
    mentor_id: UUID | None = None
    """Set when the person is this mentor."""
    expires_at: datetime | None = None
    """When the credential stops being valid (a token's `exp`); None for an API key."""
    read_only: bool = False
    """An API key's scope: reads only."""
    event_types: frozenset[str] | None = None
    """An API key's scope: the event types it may read; None for all."""
    personal_data: bool = False
    """Granted the personal fields of the log: the `events` query and subscription show
    them (for events of its scope) instead of redacting them. Raw self-reported
    demographics are shown to no one there."""

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def has_any_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def is_admin(self) -> bool:
        return Role.ADMINISTRATOR in self.roles

    @property
    def may_write(self) -> bool:
        """False for read-only keys and for principals whose every role is read-only."""
        return not self.read_only and not self.roles <= READ_ONLY_ROLES

    def member_of(self, organisation_id: UUID) -> bool:
        return organisation_id in self.organisations

    def member_of_any(self, organisation_ids: frozenset[UUID] | set[UUID]) -> bool:
        """True when one of the given organisations is this principal's (e.g. a partnership's
        members)."""
        return not self.organisations.isdisjoint(organisation_ids)

    def acts_for_student(self, student_id: UUID) -> bool:
        """The student themselves (staff reach students through their organisation)."""
        return self.student_id == student_id and Role.STUDENT in self.roles

    def acts_for_mentor(self, mentor_id: UUID) -> bool:
        return self.mentor_id == mentor_id and Role.MENTOR in self.roles

    def sees_event_type(self, event_type: str) -> bool:
        return self.event_types is None or event_type in self.event_types

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


class Reason(StrEnum):
    """Why a credential was refused: for the log and for tests, never shown to the caller
    (who sees only UNAUTHENTICATED)."""

    MISSING = "no credentials"
    MALFORMED = "malformed credentials"
    ALGORITHM = "algorithm not allowed"
    UNKNOWN_KEY = "unknown signing key"
    SIGNATURE = "bad signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not yet valid"
    ISSUER = "wrong issuer"
    AUDIENCE = "wrong audience"
    CLAIMS = "invalid claims"
    KEYS_UNAVAILABLE = "the issuer's keys are unavailable"
    CHECKSUM = "API key checksum does not match"
    UNKNOWN_API_KEY = "unknown API key"
    REVOKED = "API key revoked"


class Unauthenticated(Exception):
    """The request carries no identity, or one that does not verify."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason
        self.detail = detail


class Authenticator(Protocol):
    """Turns a request's `Authorization` value (an HTTP header, or the `authorization` of
    a websocket's connection_init payload) into a principal; infra/auth implements it, so
    the API layer needs no import of infra."""

    async def authenticate(self, authorization: str | None) -> Principal:
        """The principal, or `Unauthenticated` with the reason."""
        ...


class ApiKey(msgspec.Struct, frozen=True, kw_only=True):
    """What is known of a key besides the key itself (never stored)."""

    id: UUID
    name: str
    hint: str
    """The key's first characters, to tell keys apart (`bw_Ab3x…`)."""
    organisations: tuple[UUID, ...]
    read_only: bool
    event_types: tuple[str, ...] | None
    created_by: str
    personal_data: bool = False
    """Granted the log's personal fields (`Principal.personal_data`)."""
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def principal(self) -> Principal:
        return Principal(
            subject=f"apikey:{self.id}",
            roles=frozenset({Role.INTEGRATION}),
            organisations=frozenset(self.organisations),
            read_only=self.read_only,
            event_types=None if self.event_types is None else frozenset(self.event_types),
            personal_data=self.personal_data,
        )


class KeyRing(Protocol):
    """Where keys are kept (`infra.auth.apikeys.ApiKeys`)."""

    async def create(
        self,
        *,
        name: str,
        organisations: Iterable[UUID],
        created_by: str,
        read_only: bool = False,
        event_types: Iterable[str] | None = None,
        personal_data: bool = False,
    ) -> tuple[ApiKey, str]: ...

    async def get(self, key_id: UUID) -> ApiKey | None: ...

    async def list(self) -> list[ApiKey]: ...

    async def revoke(self, key_id: UUID) -> ApiKey: ...
