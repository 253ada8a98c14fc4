"""A day's hours as a student submits them, and the supervisor's answer through the link."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from urllib.parse import unquote

import asyncpg
from bridgework.infra.memory_store import MemoryEventStore
from bridgework.services import hours as hr
from bridgework.services.context import Role
from bridgework.services.ports import OutgoingMail
from support.context import as_person, staff
from support.scenario import TODAY


def hours_of(student, program, hours="3.5", **changes) -> hr.SubmitHours:
    return hr.SubmitHours(
        **{
            "student_id": student,
            "program_id": program,
            "worked_on": TODAY,
            "hours": Decimal(hours),
            "activity": "Soldered the drive train",
            "supervisor_name": "Dana Ortiz",
            "supervisor_email": "dana@ardent.example",
        }
        | changes
    )


async def submit(deps, student, program, hours="3.5", **changes):
    return await hr.submit_hours(
        deps, as_person(Role.STUDENT, student), hours_of(student, program, hours, **changes)
    )


async def answer(deps, token, verified=True, reason=""):
    cmd = hr.VerifyHours(
        token=token, supervisor_name="Dana Ortiz", verified=verified, reason=reason
    )
    return await hr.verify_hours(deps, staff(), cmd)  # whoever sends it, the link acts


LINK = re.compile(r"/verify-hours\?token=(\S+)")


def token_in(body: str) -> str:
    """The token of the link a supervisor's mail carries."""
    found = LINK.search(body)
    assert found, body
    return unquote(found.group(1))


async def outbox(store) -> list[OutgoingMail]:
    """The mail `store` enqueued with its events, in order: the memory store's list, or the
    PostgreSQL outbox (bodies stay until a mailer sends them; none runs in these tests)."""
    if isinstance(store, MemoryEventStore):
        return list(store.mail)
    rows = await store.pool.fetch(
        "SELECT dedupe_key, recipient, subject, body FROM outbox ORDER BY created_at, dedupe_key"
    )
    return [OutgoingMail(dedupe_key=r[0], to=r[1], subject=r[2], body=r[3]) for r in rows]


async def mailed_token(deps, log_id) -> str:
    """The token of the newest link mailed for an entry."""
    mine = [
        m for m in await outbox(deps.store) if m.dedupe_key.startswith(f"supervisor-link:{log_id}.")
    ]
    assert mine, f"no link was mailed for {log_id}"
    return token_in(max(mine, key=lambda m: int(m.dedupe_key.rsplit(".", 1)[1])).body)


def mailed_link(database_url: str, log_id: str) -> str:
    """The token of the newest link mailed for an entry, from the outbox of an app that runs
    no mailer (`tests/api/conftest.py`)."""

    async def newest() -> str:
        conn = await asyncpg.connect(database_url)
        try:
            return await conn.fetchval(
                "SELECT body FROM outbox WHERE dedupe_key LIKE $1 ORDER BY created_at DESC",
                f"supervisor-link:{log_id}.%",
            )
        finally:
            await conn.close()

    return token_in(asyncio.run(newest()))
