"""Personal data rows: what sealing personal fields costs (issue 13: at most 15% slower).

13. Each row beside the same rows without encryption (the limit column: the same store with
    its vault switched off, on a database of its own):
    a. append a new student (`StudentRegistered`: name and date of birth sealed, the new
       key inserted by the same statement), 8 writers;
    b. append an application (`ApplicationReceived`: the statement sealed under an existing
       student's key, cached as the command that loads the student caches it), 8 writers;
    c. catch-up read + decode of a log where every event has personal fields (half new
       students, half applications), by a process that has no key cached yet, batches of
       1,000; d. the same over a log where 40% of the events have personal fields (the
       demo's share), the rest enrolments.
"""

from __future__ import annotations

import contextlib
import statistics
import time
import uuid
from datetime import UTC, date, datetime
from collections.abc import AsyncIterator
from typing import Any

import harness
from bridgework.domain.program import Program
from bridgework.domain.student import Student
from bridgework.infra.crypto import Sealing
from bridgework.infra.crypto.cache import CACHE
from bridgework.infra.store import PostgresEventStore
from bridgework.infra.transcoding import Transcoder
from bridgework.services.ports import ORIGIN, StreamAppend
from store_rows import for_a_while

NOW = datetime(2026, 9, 14, 9, 0, tzinfo=UTC)
CODEC = Transcoder()


class ClearVault:
    """No sealing, no opening: the store as it was before personal data was encrypted."""

    async def seal(self, appends: Any) -> Sealing:
        return Sealing(appends, [], [], {}, [])

    def committed(self, sealing: Sealing) -> None:
        del sealing

    async def load(self, events: Any) -> Any:
        return events

    async def open(self, events: Any) -> Any:
        return events


def student_append() -> StreamAppend:
    student = Student.register(
        id=uuid.uuid4(), name="Ana Lima Rocha", grade=7, school_id=uuid.uuid4(), at=NOW,
        date_of_birth=date(2013, 4, 2),
    )
    [e] = student.collect_events()
    event = CODEC.encode(e, event_id=uuid.uuid4(), metadata=harness.METADATA)
    return StreamAppend(stream_id=event.stream_id, expected_version=0, events=[event])


def application_append(student_id: uuid.UUID) -> StreamAppend:
    program_id = uuid.uuid4()
    e = Program.ApplicationReceived(
        originator_id=program_id, originator_version=1, timestamp=NOW, student_id=student_id,
        statement="I want to build real software with people who do it every day",
    )
    event = CODEC.encode(e, event_id=uuid.uuid4(), metadata=harness.METADATA)
    return StreamAppend(stream_id=event.stream_id, expected_version=0, events=[event])


async def appends_per_second(store: PostgresEventStore, make: Any, seconds: float) -> float:
    await for_a_while(8, 0.3, lambda: store.append([make()]))
    n, _ = await for_a_while(8, seconds, lambda: store.append([make()]))
    return n / seconds


async def fill(
    store: PostgresEventStore, students: list[uuid.UUID], total: int, plain: int = 0
) -> None:
    """`total` events with personal fields, and `plain` in `plain / total` of the batches."""
    for start in range(0, total, 200):
        batch = [student_append() for _ in range(100)]
        students += [uuid.UUID(a.stream_id.partition("-")[2]) for a in batch]
        batch += [application_append(students[(start + i) % len(students)]) for i in range(100)]
        batch += [harness.new_stream() for _ in range(plain * 200 // total)]
        await store.append(batch)


async def catch_up_rate(pool: Any, clear: bool) -> float:
    CACHE.clear()  # nothing unwrapped yet: every key is fetched (once) as the log is read
    store = PostgresEventStore(pool)
    if clear:
        store.vault = ClearVault()  # type: ignore[assignment]
    got, checkpoint, started = 0, ORIGIN, time.perf_counter()
    while batch := await store.read_after(checkpoint, 1000):
        for e in batch:
            CODEC.decode(e)
        got += len(batch)
        checkpoint = batch[-1].checkpoint
    return got / (time.perf_counter() - started)


@contextlib.asynccontextmanager
async def a_store(admin_url: str, clear: bool) -> AsyncIterator[PostgresEventStore]:
    async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:
        store = deps.store
        if clear:
            store.vault = ClearVault()  # type: ignore[assignment]
        yield store  # type: ignore[misc]


async def run(admin_url: str, *, quick: bool) -> list[harness.Row]:
    """Sealed and unsealed measured in turns, the median of three turns each: the machine's
    other load then weighs on both alike."""
    seconds, total = (2.0, 10_000) if quick else (5.0, 50_000)
    rates: dict[bool, list[list[float]]] = {True: [], False: []}
    async with contextlib.AsyncExitStack() as stack:
        stores = {c: await stack.enter_async_context(a_store(admin_url, c)) for c in (False, True)}
        mixed = {c: await stack.enter_async_context(a_store(admin_url, c)) for c in (False, True)}
        students: dict[bool, list[uuid.UUID]] = {False: [], True: []}
        for c in (False, True):
            await fill(stores[c], students[c], total)
            await fill(mixed[c], [], total * 2 // 5, plain=total * 3 // 5)
        for _ in range(3):
            turn: dict[bool, list[float]] = {}
            for c in (False, True):  # appends first: the catch-ups empty the key cache
                known = iter(range(10**9))
                pick = students[c]
                turn[c] = [
                    await appends_per_second(stores[c], student_append, seconds),
                    await appends_per_second(
                        stores[c], lambda: application_append(pick[next(known) % len(pick)]),
                        seconds,
                    ),
                ]
            for c in (False, True):
                turn[c] += [
                    await catch_up_rate(stores[c].pool, c), await catch_up_rate(mixed[c].pool, c)
                ]
                rates[c].append(turn[c])
    sealed, clear = ([statistics.median(r[i] for r in rates[c]) for i in range(4)] for c in (False, True))
    names = [
        ("13a. append a new student, sealed (8 writers)", "events/s"),
        ("13b. append an application, sealed (8 writers)", "events/s"),
        (f"13c. catch-up read + decode, {total:,} events, all with sealed fields", "events/s"),
        (f"13d. catch-up read + decode, {total:,} events, 40% with sealed fields", "events/s"),
    ]
    return [
        harness.Row(
            name=name, unit=unit, ours=ours, limit=limit, target="≥ 0.85× unsealed",
            met=ours >= 0.85 * limit,
            notes="limit = the same rows unsealed; median of 3 turns each, in alternation",
        )
        for (name, unit), ours, limit in zip(names, sealed, clear, strict=True)
    ]
