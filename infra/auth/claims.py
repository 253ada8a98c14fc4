"""A token's claims ↔ a `Principal`, through the configured claim names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from bridgework.services.identity import Principal, Reason, Role, Unauthenticated

if TYPE_CHECKING:
    from bridgework.infra.auth.settings import AuthSettings

TOKEN_ROLES = frozenset(Role) - {Role.INTEGRATION, Role.SUPERVISOR}
"""Roles a token can carry: an integration holds an API key, a supervisor a signed link."""
_TOKEN_ROLE_NAMES = frozenset(r.value for r in TOKEN_ROLES)


@dataclass(frozen=True)
class ClaimMapping:
    """Which claim holds what; a dotted name reaches into nested objects
    (`realm_access.roles`)."""

    roles: str = "roles"
    organisations: str = "organisations"
    student: str = "student_id"
    mentor: str = "mentor_id"
    personal_data: str = "personal_data"

    @classmethod
    def from_settings(cls, auth: AuthSettings) -> ClaimMapping:
        return cls(
            roles=auth.roles_claim,
            organisations=auth.organisations_claim,
            student=auth.student_claim,
            mentor=auth.mentor_claim,
            personal_data=auth.personal_data_claim,
        )

    def principal(self, claims: dict[str, Any]) -> Principal:
        """The principal the (already verified) claims describe; roles Bridgework does not
        know, or that no token may carry, are left out."""
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise Unauthenticated(Reason.CLAIMS, "'sub' must be a non-empty string")
        roles = frozenset(Role(r) for r in _strings(claims, self.roles) if r in _TOKEN_ROLE_NAMES)
        return Principal(
            subject=subject,
            roles=roles,
            organisations=frozenset(
                _uuid(self.organisations, v) for v in _strings(claims, self.organisations)
            ),
            student_id=_optional_uuid(claims, self.student),
            mentor_id=_optional_uuid(claims, self.mentor),
            expires_at=_expiry(claims.get("exp")),
            personal_data=_flag(claims, self.personal_data),
        )

    def claims(self, principal: Principal) -> dict[str, Any]:
        """The claims that carry `principal` (without iss, aud and the times)."""
        claims: dict[str, Any] = {"sub": principal.subject}
        _put(claims, self.roles, sorted(principal.roles))
        _put(claims, self.organisations, sorted(str(o) for o in principal.organisations))
        if principal.student_id is not None:
            _put(claims, self.student, str(principal.student_id))
        if principal.mentor_id is not None:
            _put(claims, self.mentor, str(principal.mentor_id))
        if principal.personal_data:
            _put(claims, self.personal_data, value=True)
        return claims


def _get(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _put(claims: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = claims
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def _strings(claims: dict[str, Any], path: str) -> list[str]:
    """A list of strings, a single string, or nothing; anything else is refused."""
    value = _get(claims, path)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise Unauthenticated(Reason.CLAIMS, f"'{path}' must be a string or a list of strings")


def _flag(claims: dict[str, Any], path: str) -> bool:
    """A boolean claim: absent is false; anything but a boolean is refused."""
    value = _get(claims, path)
    if value is None or isinstance(value, bool):
        return bool(value)
    raise Unauthenticated(Reason.CLAIMS, f"'{path}' must be true or false")


def _uuid(path: str, raw: object) -> UUID:
    if not isinstance(raw, str):
        raise Unauthenticated(Reason.CLAIMS, f"'{path}' must hold ids")
    try:
        return UUID(raw)
    except ValueError:
        raise Unauthenticated(Reason.CLAIMS, f"'{path}' holds {raw!r}, not an id") from None


def _optional_uuid(claims: dict[str, Any], path: str) -> UUID | None:
    raw = _get(claims, path)
    return None if raw is None else _uuid(path, raw)


def _expiry(exp: object) -> datetime | None:
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        return datetime.fromtimestamp(exp, UTC)
    return None
