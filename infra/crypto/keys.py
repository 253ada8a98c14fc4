"""Where data keys are kept: the `data_keys` table (migration 0007), or memory; and what an
erasure destroys with them, in the transaction of the `StudentErased` event.

An erasure destroys the student's key and every key they own (their hours entries'),
keeping each row as a tombstone (never made again), deletes the snapshots that held those
subjects' state in clear, and scrubs the outbox's mail about their hours: the address,
subject and body (a mail not yet sent is given up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.domain.personal import ERASED, Subject
from bridgework.infra.crypto.vault import KeyRow
from bridgework.services.hours import SUPERVISOR_MAIL

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from uuid import UUID

    import asyncpg

_COLUMNS = "subject_id, kind, owner_id, kek_id, wrapped_key"

_ENSURE = f"""
WITH new AS (
    INSERT INTO data_keys ({_COLUMNS})
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::bytea[])
    ON CONFLICT (subject_id) DO NOTHING
    RETURNING {_COLUMNS}
)
SELECT * FROM new
UNION ALL
SELECT {_COLUMNS} FROM data_keys
WHERE subject_id = ANY($1::uuid[]) AND subject_id NOT IN (SELECT subject_id FROM new)
"""  # noqa: S608 - the only interpolation is the constant column list

_DESTROY = """
WITH tombstones AS (
    INSERT INTO data_keys (subject_id, kind, destroyed_at)
    SELECT unnest($1::uuid[]), 'student', now()
    ON CONFLICT (subject_id) DO NOTHING
)
UPDATE data_keys SET kek_id = NULL, wrapped_key = NULL, destroyed_at = now()
WHERE subject_id = ANY($1::uuid[]) OR owner_id = ANY($1::uuid[])
RETURNING subject_id, kind
"""

_SCRUB_OUTBOX = """
UPDATE outbox SET recipient = $2, subject = $2, body = NULL,
    last_error = CASE WHEN last_error IS NULL THEN NULL ELSE $2 END,
    given_up_at = CASE WHEN sent_at IS NULL THEN coalesce(given_up_at, now()) END
WHERE dedupe_key LIKE ANY($1::text[])
"""


def _row(r: asyncpg.Record) -> KeyRow:
    return KeyRow(r[0], r[1], r[2], r[3], r[4])


class PostgresKeys:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def fetch(self, subjects: Sequence[UUID]) -> list[KeyRow]:
        rows = await self._pool.fetch(
            f"SELECT {_COLUMNS} FROM data_keys WHERE subject_id = ANY($1::uuid[])",  # noqa: S608
            list(subjects),
        )
        return [_row(r) for r in rows]

    async def ensure(self, rows: Sequence[KeyRow]) -> list[KeyRow]:
        found = [_row(r) for r in await self._pool.fetch(_ENSURE, *insert_args(rows))]
        # A row a concurrent writer committed while this statement ran is not in its snapshot.
        late = {r.subject for r in rows} - {r.subject for r in found}
        return found + (await self.fetch(list(late)) if late else [])


def insert_args(rows: Sequence[KeyRow]) -> list[list[object]]:
    return [
        [r.subject for r in rows],
        [r.kind for r in rows],
        [r.owner for r in rows],
        [r.kek_id for r in rows],
        [r.wrapped for r in rows],
    ]


async def erase(
    conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy, students: Sequence[UUID]
) -> list[UUID]:
    """Destroy the students' keys (and those they own), with what held their data in clear;
    inside the caller's transaction. Returns every subject whose key is gone."""
    destroyed = await conn.fetch(_DESTROY, list(students))
    entries = [r[0] for r in destroyed if r[1] == Subject.HOURS_ENTRY]
    streams = [f"student-{s}" for s in students] + [f"hours-{e}" for e in entries]
    await conn.execute("DELETE FROM snapshots WHERE stream_id = ANY($1::text[])", streams)
    mail = [f"{SUPERVISOR_MAIL}{e}.%" for e in entries]
    await conn.execute(_SCRUB_OUTBOX, mail, ERASED)
    return [*students, *(r[0] for r in destroyed)]


class MemoryKeys:
    """The same, in memory (`MemoryEventStore`)."""

    def __init__(self) -> None:
        self.rows: dict[UUID, KeyRow] = {}

    async def fetch(self, subjects: Sequence[UUID]) -> list[KeyRow]:
        return [self.rows[s] for s in subjects if s in self.rows]

    async def ensure(self, rows: Sequence[KeyRow]) -> list[KeyRow]:
        self.insert(r for r in rows if r.subject not in self.rows)
        return [self.rows[r.subject] for r in rows]

    def insert(self, rows: Iterable[KeyRow]) -> None:
        for r in rows:
            if r.subject in self.rows:
                raise ValueError(f"a data key for {r.subject} exists")
            self.rows[r.subject] = r

    def erase(self, students: Sequence[UUID]) -> list[UUID]:
        gone = set(students)
        destroyed = [s for s, r in self.rows.items() if s in gone or r.owner in gone]
        for s in destroyed:
            self.rows[s] = KeyRow(s, self.rows[s].kind, self.rows[s].owner, None, None)
        for s in gone - set(self.rows):
            self.rows[s] = KeyRow(s, Subject.STUDENT, None, None, None)
        return [*gone, *destroyed]

    def entries_of(self, students: Sequence[UUID]) -> list[UUID]:
        gone = set(students)
        return [s for s, r in self.rows.items() if r.owner in gone]
