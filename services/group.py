"""Group commit: the command holding a stream decides the commands queued on it and appends
all of their events and idempotency records in one transaction.

Each queued command keeps its own actor (its reach checked on what it touched), clock,
metadata, idempotency record and result: one that fails its rule fails alone and the others
still land. A command that fails after changing an aggregate ends the group before it: the
group commits without it and nothing it held is cached, and it is decided again, first, by
the next holder. A second request with a key already decided in the group gets the first's
result. When the append fails (another process moved a stream on, a key recorded
elsewhere, a refused mail) the commands it does not settle are queued again, in order, and
decided afresh; on a moved stream, those that failed alone too (they failed on what moved).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import msgspec
from bridgework.domain.errors import DomainError
from bridgework.services.decided import Decided
from bridgework.services.errors import Conflict, ServiceError
from bridgework.services.idempotency import CommandResult, first_result, replay
from bridgework.services.ports import (
    CommandRecord,
    DuplicateCommand,
    MailRefused,
    StoredCommand,
    VersionConflict,
)
from bridgework.services.streams import LEAD, Queued

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from bridgework.services.context import Actor
    from bridgework.services.ports import EventMetadata
    from bridgework.services.session import Session
    from bridgework.services.unit_of_work import Deps

GROUP_MAX = 64
"""Commands decided and appended together at most."""


class Member(Queued):
    """One command of a group: what deciding it again needs, and how its caller is told."""

    def __init__(
        self,
        decide: Callable[[Session], Awaitable[CommandResult]],
        actor: Actor,
        metadata: EventMetadata,
        *,
        command_id: str,
        digest: str,
        key: str | None,
    ) -> None:
        self.decide, self.actor, self.metadata = decide, actor, metadata
        self.command_id, self.digest, self.key = command_id, digest, key

    def decided(self, session: Session, result: CommandResult) -> Decided:
        """Its events (once its reach is checked), record and mail, as the store takes them.
        A command sent without an idempotency key keeps no record: no request could ever
        name it again (its id is new), so nothing would read it."""
        record = None
        if self.key is not None:
            record = CommandRecord(
                command_id=self.command_id,
                request_hash=self.digest,
                result=msgspec.json.encode(result),
                about=result.about,
            )
        return Decided(appends=session.appends(self.metadata), command=record, mail=session.mail)


class Group:
    """The commands one holder appends together; the holder's own comes first."""

    def __init__(self, leader: Member, part: Decided, result: CommandResult) -> None:
        self.members = [leader]
        self.parts = [part]
        self.results = [result]
        self.repeats: list[tuple[Member, int]] = []
        """Requests with the key of a member decided here, with that member's index."""
        self.settled: list[tuple[Member, object]] = []
        """Members that failed alone, with their error (or another request's result)."""
        self.taken: list[Member] = []
        """Every queued command taken into the group, in queue order."""

    def alone(self) -> bool:
        """Whether the leader's command is the only one here."""
        return len(self.members) + len(self.repeats) + len(self.settled) == 1

    async def gather(self, deps: Deps, session: Session) -> None:
        """Decide the commands queued on the streams the session holds, until none is left,
        the group is full or one fails after changing an aggregate."""
        locks = deps.streams.locks
        while len(self.members) + len(self.repeats) + len(self.settled) < GROUP_MAX:
            queued = next((q for s in session.owned() if (q := locks.take(s)) is not None), None)
            if queued is None:
                return
            if not isinstance(queued, Member):
                raise TypeError(queued)
            self.taken.append(queued)
            if not await self._decide(deps, session, queued):
                self.taken.pop()
                locks.put_back([queued])
                session.taint()
                return

    async def _decide(self, deps: Deps, session: Session, m: Member) -> bool:
        """Decide one queued command into the group; False if it failed after changing an
        aggregate (it is then left out, undecided)."""
        keys = [other.key for other in self.members]
        if m.key is not None and m.key in keys:
            self.repeats.append((m, keys.index(m.key)))
            return True
        view = session.view(m.actor, deps.clock())
        try:
            result = await m.decide(view)
            part = m.decided(view, result)
        except Exception as e:  # noqa: BLE001 - it is its caller's: raised to it
            if session.changed():
                return False
            self.settled.append((m, await _explained(deps, m, e)))
            return True
        self.members.append(m)
        self.parts.append(part)
        self.results.append(result)
        return True

    async def commit(self, deps: Deps, session: Session) -> CommandResult | None:
        """Append the group; the leader's result (None: decide it again), every other
        member settled or queued again."""
        try:
            if len(self.parts) == 1:
                only = self.parts[0]
                append = deps.store.append(only.appends, command=only.command, mail=only.mail)
                positions = [await append]
            else:
                positions = await deps.store.append_group(self.parts)
        except (VersionConflict, DuplicateCommand, MailRefused) as e:
            return await self._refused(deps, e)
        except Exception as e:
            for m in self._others():
                m.settle(e)
            self._settle_alone()
            raise
        await session.committed()
        results = [
            msgspec.structs.replace(r, position=p)
            for r, p in zip(self.results, positions, strict=True)
        ]
        for m, result in zip(self.members[1:], results[1:], strict=True):
            m.settle(result)
        for m, first in self.repeats:
            stored = StoredCommand(
                command_id=m.command_id,
                request_hash=self.members[first].digest,
                result=msgspec.json.encode(self.results[first]),
                position=positions[first],
            )
            m.settle(_replayed(stored, m.digest))
        self._settle_alone()
        return results[0]

    def _others(self) -> list[Member]:
        return self.members[1:] + [m for m, _ in self.repeats]

    async def _refused(
        self, deps: Deps, e: VersionConflict | DuplicateCommand | MailRefused
    ) -> CommandResult | None:
        """The append wrote nothing: settle the member it names, queue the others again;
        the leader's answer if that is known, else None (it decides again)."""
        leader, others = self.members[0], self._others()
        if isinstance(e, VersionConflict):  # all were decided on what moved on: all again
            self.settled.clear()
            self._again(deps, self.taken)
            return await first_result(deps.store, leader.key, leader.digest)
        if isinstance(e, DuplicateCommand):
            ids = [m.command_id for m in self.members]
            named = self.members[ids.index(e.stored.command_id)]
            outcome: object = _replayed(e.stored, named.digest)
        else:
            named, outcome = self.members[e.index], e
        self._again(deps, [m for m in others if m is not named])
        if named is leader:
            if isinstance(outcome, CommandResult):
                return outcome
            raise outcome if isinstance(outcome, Exception) else e
        named.settle(outcome)
        return None

    def _again(self, deps: Deps, members: list[Member]) -> None:
        """Queue members again, first in line, to be decided afresh."""
        deps.streams.locks.put_back(members)
        self._settle_alone()

    def _settle_alone(self) -> None:
        for m, outcome in self.settled:
            m.settle(outcome)
        self.settled.clear()


def _replayed(stored: StoredCommand, digest: str) -> object:
    """The first request's result, or the conflict a different request with its key is."""
    try:
        return replay(stored, digest)
    except Conflict as e:
        return e


async def _explained(deps: Deps, m: Member, error: Exception) -> object:
    """What a member that failed alone is told: a request with its key that committed
    first wins over the error, as for a command decided on its own."""
    if not isinstance(error, (ServiceError, DomainError)):
        return error
    try:
        first = await first_result(deps.store, m.key, m.digest)
    except Exception as e:  # noqa: BLE001 - raised to the member's caller
        return e
    return error if first is None else first


async def queued(deps: Deps, member: Member, stream_id: str) -> object:
    """Queue a command on a held stream; its outcome: its result, or `LEAD` (the lock is
    then its own), an error raised. If its caller goes away once it was handed the lock,
    the lock goes on to the next in line."""
    locks = deps.streams.locks
    member.stream_id = stream_id
    member.future = asyncio.get_running_loop().create_future()
    locks.join(member)
    try:
        return await member.future
    except asyncio.CancelledError:
        f = member.future
        if f.done() and not f.cancelled() and f.exception() is None and f.result() == LEAD:
            locks.claim(stream_id)
            locks.release(stream_id)
        raise
