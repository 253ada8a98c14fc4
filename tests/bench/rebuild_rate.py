"""Projection catch-up and rebuild rate (not part of the test run).

    uv run python tests/bench/rebuild_rate.py [PROGRAMS=50] [STUDENTS=400] [BATCH=500]

Writes a synthetic history (programs with enrolments, waitlists, withdrawals, mentoring,
completions and a showcase) straight through the domain and the store, then times a live
catch-up of all projections and a rebuild of each, on an embedded PostgreSQL.
"""

import asyncio, sys, tempfile, time, uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from bridgework.infra.database import create_pool, embedded_server
from bridgework.infra.migrate import migrate
from bridgework.infra.store import PostgresEventStore
from bridgework.infra.transcoding import Transcoder
from bridgework.domain.organisation import Organisation
from bridgework.domain.partnership import Partnership
from bridgework.domain.mentor import Mentor
from bridgework.domain.student import Student
from bridgework.domain.program import Program
from bridgework.services.ports import EventMetadata, StreamAppend
from bridgework.projections.registry import default_projections
from bridgework.projections.runner import ProjectionRunner

AT = datetime.now(UTC)
META = EventMetadata(actor="bench", correlation_id=uuid.uuid4(), causation_id=uuid.uuid4(), command_id="x", command="x")

def appends(codec, aggs):
    out = []
    for a in aggs:
        evs = a.collect_events()
        if evs:
            out.append(StreamAppend(stream_id=type(a).stream_id(a.id), expected_version=evs[0].originator_version - 1,
                events=[codec.encode(e, event_id=uuid.uuid4(), metadata=META) for e in evs]))
    return out

async def main(dsn, nprog, nstud):
    pool = await create_pool(dsn, 2, 10)
    await migrate(pool)
    store = PostgresEventStore(pool); await store.start()
    codec = Transcoder()
    o1 = Organisation.register(id=uuid.uuid4(), name="A", kind="school", at=AT)
    o2 = Organisation.register(id=uuid.uuid4(), name="B", kind="business", at=AT)
    p = Partnership.form(id=uuid.uuid4(), name="P", organisation_ids=(o1.id, o2.id), goals=("g",), at=AT)
    studs = [Student.register(id=uuid.uuid4(), name=f"S{i}", grade=5, school_id=o1.id, at=AT) for i in range(nstud)]
    mentors = [Mentor.register(id=uuid.uuid4(), name=f"M{i}", organisation_id=o2.id, capacity=5000, at=AT) for i in range(20)]
    await store.append(appends(codec, [o1, o2, p] + studs + mentors))
    for i in range(nprog):
        prog = Program.launch(id=uuid.uuid4(), partnership_id=p.id, organisation_ids=p.organisation_ids, name=f"P{i}", kind="club", capacity=nstud//2,
                              starts_on=AT.date(), ends_on=AT.date()+timedelta(days=90), at=AT)
        for s in studs:
            prog.enrol(student_id=s.id, student_name=s.name, at=AT)
        for s in studs[:5]:
            prog.withdraw(student_id=s.id, student_name=s.name, reason="", at=AT)
        for j, s in enumerate(studs[5:15]):
            m = mentors[(i + j) % 20]
            prog.assign_mentor(student_id=s.id, student_name=s.name, mentor_id=m.id, mentor_name=m.name, at=AT)
            m.take_mentee(program_id=prog.id, student_id=s.id, at=AT)
        for j, s in enumerate(studs[5:10]):
            prog.complete(student_id=s.id, student_name=s.name, at=AT)
            mentors[(i + j) % 20].release_mentee(program_id=prog.id, student_id=s.id, at=AT)
        prog.record_showcase(showcase_id=uuid.uuid4(), title="T", held_on=AT.date(), presenter_ids=tuple(s.id for s in studs[10:15]),
            attending_organisation_ids=(o2.id,), partner_ids=frozenset({o1.id, o2.id}), at=AT)
        await store.append(appends(codec, [prog] + mentors))
    total = await pool.fetchval("SELECT count(*) FROM events")
    runner = ProjectionRunner(pool, store, codec, default_projections(), batch_size=int(sys.argv[3]) if len(sys.argv) > 3 else 500)
    await runner.setup()
    t = time.perf_counter(); await runner.catch_up(); el = time.perf_counter() - t
    print(f"live catch_up: {total} events x3 projections in {el:.2f}s = {total/el:,.0f} events/s (all three)")
    for name in runner.names():
        t = time.perf_counter(); n = await runner.rebuild(name); el = time.perf_counter() - t
        print(f"rebuild {name}: {n} in {el:.2f}s = {n/el:,.0f}/s")
    await store.close(); await pool.close()

with tempfile.TemporaryDirectory() as d:
    server = embedded_server(Path(d))
    try:
        asyncio.run(main(server.get_uri("postgres"), *(int(a) for a in (sys.argv[1:3] + ["50", "400"][len(sys.argv[1:3]):]))))
    finally:
        server.cleanup()
