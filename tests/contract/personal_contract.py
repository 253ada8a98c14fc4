"""Personal data in the store: sealed in the log, read clear, erased with its keys. One
suite, run on every store beside the store contract (`test_*_store.py`): a backend's class
also provides `raw_payloads`, the payloads as the backend keeps them."""

from __future__ import annotations

from datetime import date

import msgspec
from bridgework.domain.student import Student
from bridgework.infra.crypto.cache import CACHE
from bridgework.infra.transcoding import Transcoder
from bridgework.services.directory import (
    EraseStudent,
    RegisterStudent,
    erase_student,
    register_student,
)
from bridgework.services.safeguarding import RecordGuardianConsent, record_guardian_consent
from support.context import staff
from support.deps import deps_on
from support.log import read_all

CODEC = Transcoder()
NAME = "Zephyrine Quillfeather"
GUARDIAN = "Orlagh Quillfeather"
BORN = date(2012, 2, 29)


async def a_student_with_a_guardian(deps):
    student = await register_student(
        deps, staff(), RegisterStudent(name=NAME, grade=8, date_of_birth=BORN)
    )
    cmd = RecordGuardianConsent(
        student_id=student.id,
        guardian_name=GUARDIAN,
        relationship="aunt",
        given_on=date(2026, 9, 1),
    )
    await record_guardian_consent(deps, staff(), cmd)
    return student.id


async def payloads(store, events) -> list[dict]:
    """The payloads with their sealed fields opened, as the `events` query shows them."""
    return [msgspec.json.decode(e.payload) for e in await store.opened(events)]


class PersonalDataContract:
    async def test_personal_fields_are_sealed_in_the_log_and_read_back_clear(
        self, store, raw_payloads
    ):
        student = await a_student_with_a_guardian(deps_on(store))
        raw = b"".join(await raw_payloads())
        for value in (NAME, GUARDIAN, "aunt", BORN.isoformat()):
            assert value.encode() not in raw
        loaded = await store.load(Student.stream_id(student))
        registered, consent = await payloads(store, loaded)
        assert (registered["name"], registered["date_of_birth"]) == (NAME, BORN.isoformat())
        assert (consent["guardian_name"], consent["relationship"]) == (GUARDIAN, "aunt")
        assert registered["grade"] == 8  # what is not personal is stored as it is
        decoded = [CODEC.decode(e) for e in loaded]  # the codec opens them as it decodes
        assert (decoded[0].name, decoded[0].date_of_birth) == (NAME, BORN)
        assert decoded[1].guardian_name == GUARDIAN

    async def test_another_handle_on_the_log_reads_them_through_the_stored_keys(
        self, store, reopened
    ):
        student = await a_student_with_a_guardian(deps_on(store))
        CACHE.clear()  # nothing unwrapped left in this process: the keys come from the store
        loaded = await reopened.load(Student.stream_id(student))
        assert CODEC.decode(loaded[0]).name == NAME

    async def test_erasing_a_student_makes_their_fields_read_as_placeholders(
        self, store, reopened, raw_payloads
    ):
        deps = deps_on(store)
        student = await a_student_with_a_guardian(deps)
        await erase_student(deps, staff(), EraseStudent(student_id=student, reason="asked"))
        for handle in (store, reopened):
            loaded = await handle.load(Student.stream_id(student))
            assert CODEC.decode(loaded[0]).name == "erased"
            registered, consent, erased = await payloads(handle, loaded)
            assert (registered["name"], registered["date_of_birth"]) == ("erased", None)
            assert (consent["guardian_name"], consent["relationship"]) == ("erased", "erased")
            assert erased == {"reason": "asked", "timestamp": erased["timestamp"]}
            everything = await payloads(handle, await read_all(handle))
            assert not [p for p in everything if p.get("name") == NAME]

    async def test_a_value_written_after_the_erasure_is_stored_without_it(
        self, store, raw_payloads
    ):
        deps = deps_on(store)
        student = await a_student_with_a_guardian(deps)
        await erase_student(deps, staff(), EraseStudent(student_id=student, reason="asked"))
        late = RecordGuardianConsent(
            student_id=student, guardian_name="Late Guardian", relationship="uncle", given_on=BORN
        )
        await record_guardian_consent(deps, staff(), late)
        assert b"Late Guardian" not in b"".join(await raw_payloads())
        *_, consent = await payloads(store, await store.load(Student.stream_id(student)))
        assert consent["guardian_name"] == "erased"
