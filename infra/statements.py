"""The event store's SQL (`infra/store.py`): the append statement for each case, the reads,
and a row back into a `StoredEvent`."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from bridgework.services.ports import StoredCommand, StoredEvent, StoredSnapshot

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    import asyncpg

COLUMNS = (
    "position, tx_id, event_id, stream_id, stream_version, event_type, schema_version,"
    " payload, metadata, recorded_at, scope"
)


@functools.cache
def append_statement(
    *, guard: bool, record: bool, keys: bool = False, group: bool = False, single: bool = False
) -> str:
    """One statement, so one round trip and its own transaction.

    With `guard`, every stream with an expected version > 0 must be at exactly that version
    ($8, $9): it has that version and not the next. A writer who loaded a version that has
    since moved on is refused before a row is inserted, so it burns no position; the unique
    (stream_id, stream_version) index refuses a concurrent writer whose rival has not
    committed yet, and a new stream that already exists. With `record`, the
    command's idempotency record is written with the events, or not at all. With `keys`,
    new subjects' data keys (infra/crypto/) are inserted with the events. Each part is
    left out when it has nothing to do: a plain insert is twice as fast as the full one.
    With `group` (a group commit: several commands' records), each record's position is its
    last event's (the `uuid` after its result; NULL for none: the head before the statement),
    and the statement returns every event's position, in order, and that head. With `single`
    (one event, not a group), $1..$8 are that event's values rather than arrays: inserting
    them as they are costs PostgreSQL less than unnesting arrays of one.
    """
    # Only constant fragments and parameter numbers are joined here; values are parameters.
    ctes, source, n = [], "", 9
    if guard:
        ctes.append(
            f"guard AS (SELECT count(e.position) = cardinality(${n}::text[])"  # noqa: S608
            " AND count(next.position) = 0 AS ok"
            f" FROM unnest(${n}::text[], ${n + 1}::int[]) AS x(stream_id, stream_version)"
            " LEFT JOIN events e USING (stream_id, stream_version)"
            " LEFT JOIN events next ON next.stream_id = x.stream_id"
            " AND next.stream_version = x.stream_version + 1)"
        )
        source, n = ", guard WHERE guard.ok", n + 2
    columns = (
        "inserted AS (INSERT INTO events (event_id, stream_id, stream_version, event_type,"
        " schema_version, payload, metadata, scope)"
    )
    if single:
        ctes.append(
            f"{columns} SELECT $1::uuid, $2::text, $3::int, $4::text, $5::int, $6::json,"  # noqa: S608
            f" $7::json, $8::text::uuid[]{' FROM guard WHERE guard.ok' if guard else ''}"
            " RETURNING event_id, position)"
        )
    else:
        ctes.append(
            f"{columns} SELECT t.event_id, t.stream_id, t.stream_version, t.event_type,"  # noqa: S608
            " t.schema_version, t.payload, t.metadata, t.scope::uuid[]"
            " FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::int[], $6::json[],"
            " $7::json[], $8::text[]) WITH ORDINALITY AS t(event_id, stream_id, stream_version,"
            f" event_type, schema_version, payload, metadata, scope, n){source}"
            " ORDER BY t.n RETURNING event_id, position)"
        )
    head = "(SELECT coalesce(max(position), 0) FROM events)"
    if group:
        ctes.append(
            "recorded AS (INSERT INTO commands (command_id, request_hash, result, position)"  # noqa: S608
            " SELECT c.id, c.hash, c.result, coalesce((SELECT i.position FROM inserted i"
            f" WHERE i.event_id = c.last), {head}) FROM unnest(${n}::text[],"
            f" ${n + 1}::text[], ${n + 2}::json[], ${n + 3}::uuid[]) AS c(id, hash, result, last)"
            " WHERE EXISTS (SELECT FROM inserted))"
        )
        n += 4
    elif record:
        ctes.append(
            "recorded AS (INSERT INTO commands (command_id, request_hash, result, position)"  # noqa: S608
            f" SELECT ${n}::text, ${n + 1}::text, ${n + 2}::json, max(position) FROM inserted"
            " HAVING count(*) > 0)"
        )
        n += 3
    if keys:
        ctes.append(
            "keyed AS (INSERT INTO data_keys (subject_id, kind, owner_id, kek_id, wrapped_key)"  # noqa: S608
            f" SELECT * FROM unnest(${n}::uuid[], ${n + 1}::text[], ${n + 2}::uuid[],"
            f" ${n + 3}::text[], ${n + 4}::bytea[]) WHERE EXISTS (SELECT FROM inserted))"
        )
    if group:
        return (
            "WITH " + ", ".join(ctes) + " SELECT (SELECT array_agg(i.position ORDER BY u.n)"  # noqa: S608
            " FROM inserted i JOIN unnest($1::uuid[]) WITH ORDINALITY AS u(event_id, n)"
            f" USING (event_id)), {head}"
        )
    return "WITH " + ", ".join(ctes) + " SELECT max(position) FROM inserted"  # noqa: S608


LAG_COUNT_CAP = 10_000
"""Events counted behind a reader at most: the count stays cheap however far behind."""


def capped(events: int) -> str:
    """A count of events behind, as `bridgework status` prints it: `10,000+` at the cap."""
    return f"{events:,}+" if events >= LAG_COUNT_CAP else f"{events:,}"


def behind(reader: str) -> str:
    """A lateral join of how far the reader whose checkpoint is `reader.tx_id`,
    `reader.position` lags: `lag.events` (counted up to $1: `LAG_COUNT_CAP`) and
    `lag.seconds`, the age of the oldest of them (0 for none)."""
    return (
        "CROSS JOIN LATERAL (SELECT count(*) AS events, coalesce(extract(epoch FROM"  # noqa: S608
        " clock_timestamp() - min(recorded_at)), 0)::float8 AS seconds FROM ("
        " SELECT e.recorded_at FROM events AS e"
        f" WHERE (e.tx_id, e.position) > ({reader}.tx_id, {reader}.position)"
        " ORDER BY e.tx_id, e.position LIMIT $1) AS behind) AS lag"
    )


READ_AFTER = f"""
SELECT {COLUMNS} FROM events
WHERE (tx_id, position) > ($1::xid8, $2::bigint)
  AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
  AND ($4::text[] IS NULL OR event_type = ANY($4::text[]))
  AND ($5::text IS NULL OR stream_id = $5::text)
  AND ($6::uuid[] IS NULL OR scope && $6::uuid[])
  AND ($7::text IS NULL OR metadata->>'actor' = $7::text)
  AND ($8::text IS NULL OR metadata->>'correlation_id' = $8::text)
  AND ($9::timestamptz IS NULL OR recorded_at >= $9::timestamptz)
  AND ($10::timestamptz IS NULL OR recorded_at < $10::timestamptz)
ORDER BY tx_id, position
LIMIT $3
"""  # noqa: S608 - the only interpolation is the constant column list

LOAD = f"""
SELECT {COLUMNS} FROM events WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version
"""  # noqa: S608 - the only interpolation is the constant column list

LOAD_LATEST = f"""
SELECT NULL::bigint, NULL::xid8, NULL::uuid, NULL::text, NULL::int, NULL::text, NULL::int,
       NULL::json, NULL::json, NULL::timestamptz, NULL::uuid[], version, topic, layout, state
FROM snapshots WHERE stream_id = $1
UNION ALL
SELECT {COLUMNS}, NULL, NULL, NULL, NULL FROM events
WHERE stream_id = $1
  AND stream_version > coalesce((SELECT version FROM snapshots WHERE stream_id = $1), 0)
ORDER BY 5 NULLS FIRST
"""  # noqa: S608 - the only interpolation is the constant column list
"""One round trip for a cold load: the snapshot's row (its event columns NULL) first."""

FIND_COMMAND = (
    "SELECT command_id, request_hash, result, position FROM commands WHERE command_id = $1"
)

LOAD_SNAPSHOT = "SELECT version, topic, layout, state FROM snapshots WHERE stream_id = $1"

SAVE_SNAPSHOT = """
INSERT INTO snapshots (stream_id, version, topic, layout, state) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (stream_id) DO UPDATE
SET version = excluded.version, topic = excluded.topic, layout = excluded.layout,
    state = excluded.state, taken_at = now()
WHERE snapshots.version < excluded.version OR snapshots.layout <> excluded.layout
"""

PENDING = """
SELECT min(tx_id) < pg_snapshot_xmin(pg_current_snapshot()) AS readable FROM (
    SELECT tx_id FROM events WHERE (tx_id, position) > ($1::xid8, $2::bigint)
    ORDER BY tx_id, position LIMIT 1
) AS next
"""


async def versions(conn: asyncpg.Pool, stream_ids: Sequence[str]) -> dict[str, int]:
    """Each stream's version now (a stream with no events is absent)."""
    rows = await conn.fetch(
        "SELECT stream_id, max(stream_version) FROM events"
        " WHERE stream_id = ANY($1::text[]) GROUP BY stream_id",
        list(stream_ids),
    )
    return {r[0]: r[1] for r in rows}


def uuids(ids: Sequence[UUID]) -> str:
    """A uuid[] literal (`{…,…}`): a row's array inside an unnest of text, as PostgreSQL
    unnests an array of arrays into its elements."""
    return "{" + ",".join(map(str, ids)) + "}"


def stored_event(row: asyncpg.Record) -> StoredEvent:
    return StoredEvent(
        position=row[0],
        tx_id=row[1],
        event_id=row[2],
        stream_id=row[3],
        stream_version=row[4],
        event_type=row[5],
        schema_version=row[6],
        payload=row[7],
        metadata_json=row[8],
        recorded_at=row[9],
        scope=tuple(row[10]),
    )


def stored_snapshot(stream_id: str, row: asyncpg.Record) -> StoredSnapshot:
    return StoredSnapshot(
        stream_id=stream_id, version=row[0], topic=row[1], layout=row[2], state=row[3]
    )


def stored_command(row: asyncpg.Record) -> StoredCommand:
    return StoredCommand(command_id=row[0], request_hash=row[1], result=row[2], position=row[3])
