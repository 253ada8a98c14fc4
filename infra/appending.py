"""The store's writes (`infra/store.py`): one statement for a command's events, its record,
new data keys and the guard of expected versions, or for a group of commands' at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import msgspec
from bridgework.infra import crypto, statements
from bridgework.infra.mail import enqueue
from bridgework.infra.mail.outbox import refuse_bad_mail
from bridgework.services.ports import DuplicateCommand, MailRefused, StoreError, VersionConflict

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence
    from uuid import UUID

    import asyncpg
    from bridgework.services.decided import Decided
    from bridgework.services.ports import (
        CommandRecord,
        NewEvent,
        OutgoingMail,
        StoredCommand,
        StreamAppend,
    )

_encode = msgspec.json.Encoder().encode


class Write(NamedTuple):
    """What one append writes, sealed: `records` are each command's, with the id of the last
    event written up to it (None before the first)."""

    sealing: crypto.Sealing
    guarded: Sequence[StreamAppend]
    events: Sequence[NewEvent]
    records: Sequence[tuple[CommandRecord | None, UUID | None]]
    mail: Sequence[OutgoingMail]


def records_of(
    group: Sequence[Decided],
    commands: Sequence[CommandRecord | None],
    sealed: Sequence[StreamAppend],
) -> list[tuple[CommandRecord | None, UUID | None]]:
    """Each command's (sealed) record with the id of the last event written up to it, once
    its mail is found fit to send (a `MailRefused` names the command) and decided by events."""
    records, appends, last = [], iter(sealed), None
    for index, (d, command) in enumerate(zip(group, commands, strict=True)):
        try:  # before any row is written: a refused append burns no position
            refuse_bad_mail(d.mail)
        except MailRefused as e:
            e.index = index
            raise
        for a in (next(appends) for _ in d.appends):
            last = a.events[-1].event_id if a.events else last
        if d.mail and not any(a.events for a in d.appends):
            raise ValueError("mail is appended only with the events that decide it")
        records.append((command, last))
    return records


def _event_args(
    events: Sequence[NewEvent], appends: Sequence[StreamAppend], *, single: bool
) -> list[Any]:
    """The statement's $1..$8: one event's values (`single`), else an array of each column."""
    scopes = [statements.uuids(a.scope) for a in appends for _ in a.events]
    metadata = [_encode(e.metadata) for e in events]
    if single:
        [e] = events
        [meta], [scope] = metadata, scopes
        return [
            e.event_id,
            e.stream_id,
            e.stream_version,
            e.event_type,
            e.schema_version,
            e.payload,
            meta,
            scope,
        ]
    return [
        [e.event_id for e in events],
        [e.stream_id for e in events],
        [e.stream_version for e in events],
        [e.event_type for e in events],
        [e.schema_version for e in events],
        [e.payload for e in events],
        metadata,
        scopes,
    ]


async def insert(pool: asyncpg.Pool, w: Write) -> list[int]:
    """Write the events and records; return each record's position (the highest position for
    one command); raise `VersionConflict` when the guard refuses."""
    events, appends, fresh = w.events, w.sealing.appends, w.sealing.fresh
    group = len(w.records) > 1
    single = len(events) == 1 and not group
    args = _event_args(events, appends, single=single)
    if w.guarded:
        args += [[a.stream_id for a in w.guarded], [a.expected_version for a in w.guarded]]
    records = [(r, last) for r, last in w.records if r is not None]
    if group:
        args += [[r.command_id for r, _ in records], [r.request_hash for r, _ in records]]
        args += [[r.result for r, _ in records], [last for _, last in records]]
    elif records:
        command = records[0][0]
        args += [command.command_id, command.request_hash, command.result]
    if fresh:  # a new subject's key is inserted with its first events
        args += crypto.insert_args(fresh)
    statement = statements.append_statement(
        guard=bool(w.guarded),
        record=bool(records) and not group,
        keys=bool(fresh),
        group=group,
        single=single,
    )
    if w.mail or w.sealing.erasing:  # the outbox row (an erasure) commits with the events
        async with pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(statement, *args)
            assert row is not None  # noqa: S101 - a SELECT of aggregates: always one row
            if row[0] is not None and w.sealing.erasing:
                w.sealing.destroyed.extend(await crypto.erase(conn, w.sealing.erasing))
            for m in w.mail if row[0] is not None else ():
                await enqueue(conn, **msgspec.structs.asdict(m))
    else:
        row = await pool.fetchrow(statement, *args)
    assert row is not None  # noqa: S101 - a SELECT of aggregates: always one row
    if row[0] is None:  # the guard refused: a stream is not at its expected version
        conflict = await stale(pool, w.guarded)
        raise conflict or AssertionError("the guard refused streams at their expected versions")
    if not group:
        return [int(row[0])]
    positions = dict(zip([e.event_id for e in events], row[0], strict=True))
    return [int(row[1]) if last is None else positions[last] for _, last in w.records]


async def stale(pool: asyncpg.Pool, appends: Sequence[StreamAppend]) -> VersionConflict | None:
    """The conflict of the first stream not at its expected version, if any (as the
    append's guard finds it: a decision that wrote nothing was still taken on what it read)."""
    if not appends:
        return None
    versions = await statements.versions(pool, [a.stream_id for a in appends])
    for a in appends:
        if (actual := versions.get(a.stream_id, 0)) != a.expected_version:
            return VersionConflict(a.stream_id, a.expected_version, actual)
    return None


async def explain(
    pool: asyncpg.Pool,
    error: asyncpg.UniqueViolationError,
    appends: Sequence[StreamAppend],
    records: Sequence[CommandRecord],
    find_command: Callable[[str], Awaitable[StoredCommand | None]],
) -> StoreError:
    """Turn a unique violation into the error a caller can act on."""
    constraint = error.constraint_name or ""
    if constraint == "commands_pkey":
        for command in records:
            if (stored := await find_command(command.command_id)) is not None:
                return DuplicateCommand(stored)
    if constraint == "events_stream_id_stream_version_key":
        # Every stream at its version: a rival's events are not committed yet.
        first = appends[0]
        rival = VersionConflict(first.stream_id, first.expected_version, first.expected_version)
        return await stale(pool, appends) or rival
    return StoreError(f"append refused: {error}")
