"""One way for tests to get a token for a role: Bridgework's own issuer, as `bridgework
token` does, over the data folder the server under test uses."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from uuid import UUID

from bridgework.infra.auth.issuer import LocalIssuer
from bridgework.infra.settings import Settings
from bridgework.services.identity import Principal, Role

TEST_KEYS = Path(tempfile.mkdtemp(prefix="bridgework-test-keys-"))
"""The data folder of the apps API tests run in process: it holds only the issuer's and the
checkpoint signer's keys."""


def principal(
    role: Role,
    *,
    subject: str | None = None,
    organisations: frozenset[UUID] = frozenset(),
    student: UUID | None = None,
    mentor: UUID | None = None,
    personal_data: bool = False,
) -> Principal:
    return Principal(
        subject=subject or f"test-{role}",
        roles=frozenset({role}),
        organisations=organisations,
        student_id=student,
        mentor_id=mentor,
        personal_data=personal_data,
    )


class Tokens:
    """Tokens a server with this data folder (and the default auth settings) accepts."""

    def __init__(self, data_dir: Path | Settings) -> None:
        settings = data_dir if isinstance(data_dir, Settings) else Settings(data_dir=data_dir)
        self.issuer = LocalIssuer(settings)

    def token(
        self,
        role: Role = Role.ADMINISTRATOR,
        expires: timedelta = timedelta(hours=1),
        **who: object,
    ) -> str:
        return self.issuer.issue(principal(role, **who), expires)  # type: ignore[arg-type]

    def bearer(self, role: Role = Role.ADMINISTRATOR, **who: object) -> str:
        """An `Authorization` value: `Bearer <token>`."""
        return f"Bearer {self.token(role, **who)}"

    def init(self, authorization: str | None = None) -> dict[str, object]:
        """A websocket's connection_init message with this `Authorization` (an
        administrator's by default), as graphql-transport-ws clients send it."""
        return {
            "type": "connection_init",
            "payload": {"authorization": authorization or self.bearer()},
        }

    def student(self, student_id: object) -> str:
        """The `Authorization` of the student with this id."""
        return self.bearer(
            Role.STUDENT, subject=f"student-{student_id}", student=UUID(str(student_id))
        )

    def mentor(self, mentor_id: object) -> str:
        return self.bearer(Role.MENTOR, subject=f"mentor-{mentor_id}", mentor=UUID(str(mentor_id)))
