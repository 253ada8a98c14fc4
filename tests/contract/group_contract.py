"""The store contract for group appends: several commands' events and idempotency records in
one transaction (`EventStore.append_group`, the group commit of `services/group.py`)."""

from __future__ import annotations

import msgspec
import pytest
from bridgework.services.decided import Decided
from bridgework.services.ports import (
    CommandRecord,
    DuplicateCommand,
    MailRefused,
    OutgoingMail,
    VersionConflict,
)
from support.hours import outbox
from support.log import count_events, read_all, stream, stream_append


def record(command_id: str) -> CommandRecord:
    return CommandRecord(command_id=command_id, request_hash="h", result=b'{"id":"r"}')


class GroupAppendContract:
    async def test_a_group_writes_each_commands_events_and_record_in_one_transaction(self, store):
        head = await store.append([stream_append(stream(), 0)])
        s1, s2 = stream(), stream()
        group = [
            Decided(appends=[stream_append(s1, 0, count=2)], command=record("a")),
            Decided(appends=[stream_append(s1, 2), stream_append(s2, 0)], command=record("b")),
            Decided(appends=[], command=record("c")),  # decided nothing
            Decided(appends=[stream_append(s2, 1)]),  # no record: no key, nothing to replay
        ]

        positions = await store.append_group(group)

        log = (await read_all(store))[1:]
        assert [(e.stream_id, e.stream_version) for e in log] == [
            (s1, 1),
            (s1, 2),
            (s1, 3),
            (s2, 1),
            (s2, 2),
        ]
        assert len({e.tx_id for e in log}) == 1
        assert positions == [log[1].position, log[3].position, log[3].position, log[4].position]
        assert log[0].position > head
        for command_id, position in zip("abc", positions, strict=False):
            stored = await store.find_command(command_id)
            assert stored is not None
            assert (stored.position, stored.result) == (position, b'{"id":"r"}')

    async def test_a_group_whose_first_command_is_stale_conflicts_and_writes_nothing(self, store):
        s = stream()
        await store.append([stream_append(s, 0)])
        group = [
            Decided(appends=[stream_append(s, 0)], command=record("a")),
            Decided(appends=[stream_append(s, 1)], command=record("b")),
        ]
        with pytest.raises(VersionConflict):
            await store.append_group(group)
        assert await count_events(store) == 1
        assert await store.find_command("a") is None
        assert await store.find_command("b") is None

    async def test_a_later_append_must_continue_the_earlier_ones_of_its_stream(self, store):
        s = stream()
        group = [
            Decided(appends=[stream_append(s, 0)], command=record("a")),
            Decided(appends=[stream_append(s, 2)], command=record("b")),  # skips version 2
        ]
        with pytest.raises(ValueError, match="continue each other"):
            await store.append_group(group)
        assert await count_events(store) == 0

    async def test_a_key_recorded_before_refuses_the_whole_group_naming_it(self, store):
        first = await store.append([stream_append(stream(), 0)], command=record("b"))
        group = [
            Decided(appends=[stream_append(stream(), 0)], command=record("a")),
            Decided(appends=[stream_append(stream(), 0)], command=record("b")),
        ]
        with pytest.raises(DuplicateCommand) as caught:
            await store.append_group(group)
        assert caught.value.stored.command_id == "b"
        assert caught.value.stored.position == first
        assert await count_events(store) == 1
        assert await store.find_command("a") is None

    async def test_a_refused_mail_names_its_command_and_the_group_writes_nothing(self, store):
        s = stream()
        mail = OutgoingMail(dedupe_key="k", to="dana@ardent.example", subject="Hi", body="x")
        bad = msgspec.structs.replace(mail, dedupe_key="k2", subject="a\nBcc: x@y.org")
        group = [
            Decided(appends=[stream_append(s, 0)], command=record("a"), mail=[mail]),
            Decided(appends=[stream_append(s, 1)], command=record("b"), mail=[bad]),
        ]
        with pytest.raises(MailRefused) as refused:
            await store.append_group(group)
        assert (refused.value.field, refused.value.index) == ("subject", 1)
        assert await count_events(store) == 0
        assert await outbox(store) == []
        group[1] = Decided(appends=[stream_append(s, 1)], command=record("b"))
        await store.append_group(group)
        assert await outbox(store) == [mail]
