"""The supervisor's mail on PostgreSQL: it is enqueued in the transaction that issues the
link, so an attempt that is rolled back (overtaken by another writer, or refused by the
outbox) mails nothing, and the link that was mailed is the one that works."""

from __future__ import annotations

import secrets
from typing import Any

import msgspec
import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.services import hours as hr
from bridgework.services.context import Role
from bridgework.services.ports import MailRefused, OutgoingMail
from support.context import as_person, staff
from support.deps import deps_on
from support.hours import answer, mailed_token, outbox, submit
from support.log import count_events, stream, stream_append
from support.scenario import a_program, enrol, students


class ResentFirst:
    """An event store whose first append is overtaken by another resend of the same entry."""

    def __init__(self, deps, log_id) -> None:
        self.deps, self.log_id, self.raced = deps, log_id, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.deps.store, name)

    async def append(self, appends, **kwargs):
        if not self.raced:
            self.raced = True
            other = deps_on(self.deps.store, new_token=self.deps.new_token)
            await hr.resend_verification_link(
                other, staff(), hr.ResendVerificationLink(log_id=self.log_id)
            )
        return await self.deps.store.append(appends, **kwargs)


async def test_an_attempt_overtaken_by_another_writer_mails_nothing(deps, store):
    program, _, _ = await a_program(deps, capacity=2)
    (ana,) = await students(deps, 1)
    await enrol(deps, program, ana)
    made: list[str] = []

    def new_token() -> str:
        made.append(f"t{len(made)}-{secrets.token_urlsafe(16)}")
        return made[-1]

    deps = msgspec.structs.replace(deps, new_token=new_token)
    logged = await submit(deps, ana, program)
    racing = msgspec.structs.replace(deps, store=ResentFirst(deps, logged.id))
    await hr.resend_verification_link(
        racing, as_person(Role.STUDENT, ana), hr.ResendVerificationLink(log_id=logged.id)
    )
    # submit; our first attempt (rolled back); the resend that overtook it; our retry
    assert len(made) == 4
    links = [m for m in await outbox(store) if m.dedupe_key.startswith("supervisor-link:")]
    assert [m.dedupe_key.rsplit(".", 1)[1] for m in links] == ["1", "2", "3"]
    mailed = "\n".join(m.body for m in links)
    assert made[1] not in mailed
    assert all(t in mailed for t in (made[0], made[2], made[3]))
    rolled_back = hr.link_token(logged.id, made[1])
    with pytest.raises(RuleViolated) as refused:
        await answer(deps, rolled_back)
    assert refused.value.rule == "LINK_UNKNOWN"
    token = await mailed_token(deps, logged.id)
    assert token == hr.link_token(logged.id, made[3])
    assert (await answer(deps, token)).status == "verified"


async def test_a_mail_the_outbox_refuses_rolls_its_events_back(store):
    """The events are inserted before the outbox refuses the mail, in one transaction."""
    bad = OutgoingMail(dedupe_key="k", to="Dana <dana@ardent.example>", subject="s", body="b")
    with pytest.raises(MailRefused) as refused:
        await store.append([stream_append(stream(), 0)], mail=[bad])
    assert refused.value.field == "to"
    assert await count_events(store) == 0
    assert await outbox(store) == []
