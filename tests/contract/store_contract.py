"""The event store's contract: one suite, run once per backend (`test_*_store.py`).

A backend's class subclasses `StoreContract` and provides two fixtures: `store`, an empty
store, and `reopened`, another handle on the same log that shares no memory with the first
where the backend allows it. The suite itself is not named `Test…`, so pytest collects it
only through those subclasses.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import msgspec
import pytest
from bridgework.domain.hours import HoursLog
from bridgework.services import hours as hr
from bridgework.services.context import Role
from bridgework.services.ports import (
    ORIGIN,
    CommandRecord,
    DuplicateCommand,
    LogFilter,
    MailRefused,
    OutgoingMail,
    StoreError,
    StreamAppend,
    VersionConflict,
)
from support.context import as_person
from support.deps import deps_on
from support.hours import hours_of, outbox
from support.log import META, count_events, new_event, read_all, stream, stream_append
from support.scenario import a_program, enrol, students


class StoreContract:
    async def test_appended_events_load_back_in_version_order_with_their_metadata(self, store):
        s = stream()
        position = await store.append([stream_append(s, 0, count=3)])
        loaded = await store.load(s)
        assert [e.stream_version for e in loaded] == [1, 2, 3]
        assert position == loaded[-1].position
        assert loaded[0].metadata == META
        assert loaded[0].event_type == "StudentEnrolled"
        assert loaded[0].schema_version == 1
        assert msgspec.json.decode(loaded[0].payload)["timestamp"] == "2026-03-02"
        assert loaded[0].recorded_at.tzinfo is not None

    async def test_a_stream_with_no_events_loads_empty(self, store):
        assert await store.load(stream()) == []

    async def test_loading_after_a_version_gives_only_the_later_events(self, store):
        s = stream()
        await store.append([stream_append(s, 0, count=5)])
        everything = await store.load(s)
        assert await store.load(s, after_version=0) == everything
        assert await store.load(s, after_version=1) == everything[1:]
        assert [e.stream_version for e in await store.load(s, after_version=3)] == [4, 5]
        assert await store.load(s, after_version=5) == []
        snapshot, events = await store.load_latest(s)
        assert snapshot is None
        assert events == everything

    async def test_a_stale_append_burns_no_position(self, store):
        s = stream()
        first = await store.append([stream_append(s, 0, count=2)])
        for _ in range(3):
            with pytest.raises(VersionConflict):
                await store.append([stream_append(s, 1)])
        assert await store.append([stream_append(s, 2)]) == first + 1

    async def test_a_stale_expected_version_is_a_conflict_and_appends_nothing(self, store):
        s = stream()
        await store.append([stream_append(s, 0, count=2)])
        with pytest.raises(VersionConflict) as caught:
            await store.append([stream_append(s, 1)])
        assert (caught.value.stream_id, caught.value.expected_version) == (s, 1)
        assert caught.value.actual_version == 2
        assert await count_events(store) == 2

    async def test_an_expected_version_ahead_of_the_stream_is_a_conflict(self, store):
        s = stream()
        await store.append([stream_append(s, 0)])
        with pytest.raises(VersionConflict) as caught:
            await store.append([stream_append(s, 5)])
        assert caught.value.actual_version == 1
        assert await count_events(store) == 1

    async def test_a_stream_appended_no_events_is_guarded_at_exactly_its_version(self, store):
        """What a command only read: the append lands only if it is still at that version,
        with events for other streams or with none."""
        read, written = stream(), stream()
        await store.append([stream_append(read, 0, count=2)])
        guard = StreamAppend(stream_id=read, expected_version=2, events=[])
        await store.append([guard, stream_append(written, 0)])
        for stale in (1, 3):
            late = StreamAppend(stream_id=read, expected_version=stale, events=[])
            with pytest.raises(VersionConflict) as caught:
                await store.append([late, stream_append(written, 1)])
            assert (caught.value.stream_id, caught.value.actual_version) == (read, 2)
            with pytest.raises(VersionConflict):
                await store.append([late])
        await store.append([guard])  # at its version: nothing to write, nothing refused
        assert await count_events(store) == 3
        assert await store.versions([read, written, stream()]) == {read: 2, written: 1}

    async def test_creating_a_stream_that_exists_is_a_conflict(self, store):
        s = stream()
        await store.append([stream_append(s, 0)])
        with pytest.raises(VersionConflict):
            await store.append([stream_append(s, 0)])
        assert await count_events(store) == 1

    async def test_several_streams_append_all_or_nothing(self, store):
        fresh, existing = stream(), stream()
        await store.append([stream_append(existing, 0)])
        with pytest.raises(VersionConflict) as caught:
            await store.append([stream_append(fresh, 0), stream_append(existing, 0)])
        assert caught.value.stream_id == existing
        assert await store.load(fresh) == []
        await store.append([stream_append(fresh, 0), stream_append(existing, 1)])
        assert await count_events(store) == 3

    async def test_events_must_continue_their_stream_in_order(self, store):
        s = stream()
        bad = StreamAppend(stream_id=s, expected_version=0, events=[new_event(s, 2)])
        with pytest.raises(ValueError, match="must continue it in order"):
            await store.append([bad])
        assert await count_events(store) == 0

    async def test_an_event_id_used_before_is_refused_and_appends_nothing(self, store):
        first = stream_append(stream(), 0)
        await store.append([first])
        s = stream()
        reused = msgspec.structs.replace(new_event(s, 1), event_id=first.events[0].event_id)
        with pytest.raises(StoreError) as caught:
            await store.append([StreamAppend(stream_id=s, expected_version=0, events=[reused])])
        assert type(caught.value) is StoreError
        assert await store.load(s) == []
        assert await count_events(store) == 1

    async def test_a_command_id_seen_before_returns_the_first_record_and_appends_nothing(
        self, store
    ):
        first = CommandRecord(command_id="key-1", request_hash="h", result=b'{"id":"x"}')
        position = await store.append([stream_append(stream(), 0)], command=first)
        with pytest.raises(DuplicateCommand) as caught:
            await store.append([stream_append(stream(), 0)], command=first)
        assert caught.value.stored.position == position
        assert caught.value.stored.result == b'{"id":"x"}'
        assert await count_events(store) == 1
        assert await store.find_command("key-1") == caught.value.stored
        assert await store.find_command("never") is None

    async def test_mail_is_enqueued_with_its_events_or_not_at_all(self, store):
        """A rolled-back append (a conflict, a command seen before) enqueues no mail; a
        mail whose key was enqueued before is not enqueued again."""
        s = stream()
        link = OutgoingMail(
            dedupe_key=f"supervisor-link:{s}.1",
            to="dana@ardent.example",
            subject="Please verify",
            body="http://127.0.0.1:8000/verify-hours?token=t\n",
        )
        record = CommandRecord(command_id="mail-1", request_hash="h", result=b"{}")
        await store.append([stream_append(s, 0)], command=record, mail=[link])
        assert await outbox(store) == [link]
        other = msgspec.structs.replace(link, dedupe_key="supervisor-link:other")
        with pytest.raises(VersionConflict):
            await store.append([stream_append(s, 0)], mail=[other])
        with pytest.raises(DuplicateCommand):
            await store.append([stream_append(stream(), 0)], command=record, mail=[other])
        alone = CommandRecord(command_id="mail-2", request_hash="h", result=b"{}")
        with pytest.raises(ValueError, match="only with the events"):
            await store.append([], command=alone, mail=[other])
        for bad in ({"to": "Dana <dana@ardent.example>"}, {"subject": "a\nBcc: x@y.org"}):
            with pytest.raises(MailRefused) as refused:
                await store.append(
                    [stream_append(s, 1)], mail=[msgspec.structs.replace(other, **bad)]
                )
            assert refused.value.field == next(iter(bad))
        await store.append([stream_append(s, 1)], mail=[msgspec.structs.replace(link, body="x")])
        assert await outbox(store) == [link]
        assert await count_events(store) == 2

    async def test_a_command_that_appends_nothing_is_recorded_at_the_head_of_the_log(self, store):
        head = await store.append([stream_append(stream(), 0, count=2)])
        record = CommandRecord(command_id="noop", request_hash="h", result=b'{"id":"y"}')
        assert await store.append([], command=record) == head
        with pytest.raises(DuplicateCommand) as caught:
            await store.append([], command=record)
        assert caught.value.stored == await store.find_command("noop")
        assert (caught.value.stored.position, caught.value.stored.result) == (head, b'{"id":"y"}')
        assert await count_events(store) == 2

    async def test_the_head_is_the_highest_position_written(self, store):
        assert await store.head() == 0
        position = await store.append([stream_append(stream(), 0, count=2)])
        with pytest.raises(VersionConflict):
            await store.append([stream_append(stream(), 0), stream_append(stream(), 3)])
        assert await store.head() == position == (await read_all(store))[-1].position

    async def test_reading_after_a_checkpoint_pages_through_the_log_in_order(self, store):
        streams = [stream() for _ in range(5)]
        for s in streams:
            await store.append([stream_append(s, 0, count=2)])
        everything = await read_all(store)
        assert len(everything) == 10
        page = await store.read_after(everything[3].checkpoint, 4)
        assert page == everything[4:8]
        assert await store.checkpoint_of(everything[3].position) == everything[3].checkpoint
        assert await store.checkpoint_of(10_000) is None
        checkpoints = [e.checkpoint for e in everything]
        assert checkpoints == sorted(checkpoints)
        assert len({e.position for e in everything}) == 10

    async def test_one_append_is_one_transaction_in_the_global_order(self, store):
        await store.append([stream_append(stream(), 0, count=2), stream_append(stream(), 0)])
        await store.append([stream_append(stream(), 0)])
        first, second, third, fourth = await read_all(store)
        assert first.tx_id == second.tx_id == third.tx_id < fourth.tx_id
        assert first.position < second.position < third.position < fourth.position

    async def test_reading_filters_by_type_and_stream(self, store):
        a, b = stream(), stream()
        await store.append([stream_append(a, 0, count=2), stream_append(b, 0)])
        await store.append([stream_append(a, 2, event_type="MentorAssigned")])
        only_a = await store.read_after(ORIGIN, 100, stream_id=a)
        assert [e.stream_version for e in only_a] == [1, 2, 3]
        assigned = await store.read_after(ORIGIN, 100, types=["MentorAssigned"])
        assert [(e.stream_id, e.event_type) for e in assigned] == [(a, "MentorAssigned")]
        assert await store.read_after(ORIGIN, 100, types=[]) == []
        assert await store.read_after(ORIGIN, 1, stream_id=b) == [
            e for e in await read_all(store) if e.stream_id == b
        ]

    async def test_each_event_keeps_its_scope_and_reading_filters_by_it(self, store):
        school, business, other = uuid4(), uuid4(), uuid4()
        a, b, c = stream(), stream(), stream()
        scoped = msgspec.structs.replace(stream_append(a, 0, count=2), scope=(school, business))
        await store.append([scoped, stream_append(b, 0)])
        await store.append(
            [msgspec.structs.replace(stream_append(c, 0), scope=(business,)), stream_append(a, 2)]
        )
        every = await read_all(store)
        assert [(e.stream_id, e.scope) for e in every] == [
            (a, (school, business)),
            (a, (school, business)),
            (b, ()),
            (c, (business,)),
            (a, ()),
        ]
        assert (await store.load(a))[0].scope == (school, business)
        of_school = await store.read_after(ORIGIN, 100, scope=frozenset({school}))
        assert [e.stream_id for e in of_school] == [a, a]
        of_business = await store.read_after(ORIGIN, 100, scope=frozenset({business, other}))
        assert [e.stream_id for e in of_business] == [a, a, c]
        assert await store.read_after(ORIGIN, 100, scope=frozenset({other})) == []
        assert await store.read_after(ORIGIN, 100, scope=frozenset()) == []

    async def test_reading_filters_by_actor_correlation_and_recording_time(self, store):
        a, b = stream(), stream()
        other = msgspec.structs.replace(META, actor="auditor:eve", correlation_id=uuid4())
        theirs = [msgspec.structs.replace(new_event(b, 1), metadata=other)]
        await store.append([stream_append(a, 0, count=2)])
        await store.append([StreamAppend(stream_id=b, expected_version=0, events=theirs)])
        first, _, last = every = await read_all(store)

        async def read(**where):
            found = await store.read_after(ORIGIN, 100, where=LogFilter(**where))
            return [e.stream_id for e in found]

        assert await read(actor="auditor:eve") == [b]
        assert await read(actor=META.actor) == [a, a]
        assert await read(actor="auditor:nobody") == []
        assert await read(correlation_id=other.correlation_id) == [b]
        assert await read(correlation_id=META.correlation_id, actor="auditor:eve") == []
        assert await read(since=last.recorded_at) == [
            e.stream_id for e in every if e.recorded_at >= last.recorded_at
        ]
        assert await read(until=last.recorded_at) == [
            e.stream_id for e in every if e.recorded_at < last.recorded_at
        ]
        assert await read(since=first.recorded_at, until=first.recorded_at) == []
        assert await read() == [a, a, b]

    async def test_a_waiting_reader_wakes_when_events_are_appended(self, store):
        started = time.monotonic()
        waiting = asyncio.create_task(store.wait_for_new_events(30))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await store.append([stream_append(stream(), 0)])
        await asyncio.wait_for(waiting, 10)
        assert time.monotonic() - started < 10  # woken, not timed out at 30 s

    async def test_waiting_after_a_checkpoint_returns_at_once_when_events_are_already_there(
        self, store
    ):
        await store.append([stream_append(stream(), 0)])
        started = time.monotonic()
        await store.wait_for_new_events(30, after=ORIGIN)
        assert time.monotonic() - started < 10

    @pytest.mark.slow
    async def test_racing_writers_on_one_stream_land_exactly_once_each_or_conflict(self, store):
        s = stream()
        await store.append([stream_append(s, 0)])

        async def attempt() -> bool:
            try:
                await store.append([stream_append(s, 1)])
            except VersionConflict:
                return False
            return True

        results = await asyncio.gather(*(attempt() for _ in range(16)))
        assert results.count(True) == 1
        assert [e.stream_version for e in await store.load(s)] == [1, 2]

    async def test_a_command_sent_again_with_its_key_gets_the_first_answer_and_appends_nothing(
        self, store, reopened
    ):
        """The idempotency record through a real command: the second request runs in new
        `Deps` on another handle (nothing of the first kept in memory), whose clock and ids
        would give a different answer if it decided again."""
        deps = deps_on(store)
        program, _, _ = await a_program(deps, capacity=2)
        (ana,) = await students(deps, 1)
        await enrol(deps, program, ana)
        cmd = hours_of(ana, program)
        first = await hr.submit_hours(deps, as_person(Role.STUDENT, ana, "hours-monday"), cmd)
        log = await read_all(store)
        submitted = await store.load(HoursLog.stream_id(first.id))
        assert first.position == submitted[-1].position == log[-1].position
        mailed = await outbox(store)
        assert [m.dedupe_key for m in mailed] == [f"supervisor-link:{first.id}.1"]

        later = deps_on(reopened, clock=lambda: datetime.now(UTC) + timedelta(hours=1))
        again = await hr.submit_hours(later, as_person(Role.STUDENT, ana, "hours-monday"), cmd)

        assert msgspec.structs.asdict(again) == msgspec.structs.asdict(first)
        assert again.id == first.id
        assert again.position == first.position
        assert await outbox(reopened) == mailed  # the retry enqueued nothing more
        assert (again.status, again.message) == (first.status, first.message)
        assert await read_all(reopened) == log
        assert await store.find_command("hours-monday") == await reopened.find_command(
            "hours-monday"
        )
