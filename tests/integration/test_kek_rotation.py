"""Rotating the KEK re-wraps every data key and leaves every event as it was."""

from __future__ import annotations

from bridgework.domain.student import Student
from bridgework.infra.crypto.cache import CACHE
from bridgework.infra.crypto.cli import in_use, rewrap
from bridgework.infra.crypto.kek import Keks, new_kek
from bridgework.infra.store import PostgresEventStore
from bridgework.infra.transcoding import Transcoder
from bridgework.services.directory import RegisterStudent, register_student
from support.context import staff
from support.deps import deps_on


async def test_rewrapping_moves_every_data_key_to_the_new_kek_without_touching_events(pool):
    old, new = new_kek(), new_kek()
    before = PostgresEventStore(pool, Keks(old))
    cmd = RegisterStudent(name="Ines Achterberg")
    student = (await register_student(deps_on(before), staff(), cmd)).id
    log = await pool.fetch("SELECT event_id, payload::text FROM events ORDER BY position")

    assert await rewrap(pool, Keks(new, [old])) == 1
    assert await rewrap(pool, Keks(new, [old])) == 0  # nothing left under the old one
    assert await in_use(pool) == {new.id: 1}
    assert await pool.fetch("SELECT event_id, payload::text FROM events ORDER BY position") == log

    CACHE.clear()  # a process started after the rotation, given only the new KEK
    after = PostgresEventStore(pool, Keks(new))
    [registered] = await after.load(Student.stream_id(student))
    assert Transcoder().decode(registered).name == "Ines Achterberg"
