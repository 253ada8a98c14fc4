"""Rows 14–15: past views (`asOf`).

A synthetic history written through the domain and the store: two organisations in a
partnership, students and mentors, then programs each with every student enrolling (half
waitlisted), withdrawals, mentor matches, completions and a showcase, ~100,000 events.

14. The first as-of build of the whole log (every read model replayed into a scratch
    schema), seconds, beside the full rebuild of that log (`bridgework rebuild`: every
    projection rebuilt from position 0) as the limit. Target: ≤ the rebuild.
15. A cached as-of read of one program's enrolment (its entries and students), µs per query
    in-process through the real schema (median), beside the same live query as the limit.
    Target: ≤ 2× live.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import harness
from bridgework.domain.mentor import Mentor
from bridgework.domain.organisation import Organisation
from bridgework.domain.partnership import Partnership
from bridgework.domain.program import Program
from bridgework.domain.student import Student
from bridgework.graphql.context import ApiServices, Context
from bridgework.graphql.live import LiveTail
from bridgework.graphql.loaders import Loaders
from bridgework.graphql.schema import schema
from bridgework.infra.auth.authenticator import authenticator_for
from bridgework.infra.database import create_pool
from bridgework.infra.migrate import available
from bridgework.infra.settings import Settings
from bridgework.projections.asof import AsOfLimits, AsOfViews
from bridgework.projections.positions import PositionWatcher
from bridgework.projections.registry import default_projections
from bridgework.projections.runner import ProjectionRunner
from bridgework.services.identity import Principal, Role
from bridgework.services.ports import StreamAppend

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STUDENTS = 400
MENTORS = 20
ADMIN = Principal(subject="bench", roles=frozenset({Role.ADMINISTRATOR}))
VIEW = """{ program(id: "%s") { enrollment { enrolled waitlisted
  entries { status waitlistPlace student { name grade } } } } }"""


def appends(codec: Any, aggregates: list[Any]) -> list[StreamAppend]:
    out = []
    for a in aggregates:
        events = a.collect_events()
        if events:
            encoded = [codec.encode(e, event_id=uuid.uuid4(), metadata=harness.METADATA) for e in events]
            out.append(StreamAppend(stream_id=type(a).stream_id(a.id), expected_version=events[0].originator_version - 1, events=encoded))
    return out


async def fill(deps: Any, events: int) -> list[uuid.UUID]:
    """About `events` events; the programs' ids."""
    codec, store = deps.codec, deps.store
    school = Organisation.register(id=uuid.uuid4(), name="Lincoln", kind="school", at=AT)
    firm = Organisation.register(id=uuid.uuid4(), name="Ardent", kind="business", at=AT)
    p = Partnership.form(id=uuid.uuid4(), name="Robotics", organisation_ids=(school.id, firm.id), goals=("g",), at=AT)
    kids = [Student.register(id=uuid.uuid4(), name=f"Student {i}", grade=9, school_id=school.id, at=AT) for i in range(STUDENTS)]
    mentors = [Mentor.register(id=uuid.uuid4(), name=f"Mentor {i}", organisation_id=firm.id, capacity=5000, at=AT) for i in range(MENTORS)]
    await store.append(appends(codec, [school, firm, p, *kids, *mentors]))
    programs = []
    for i in range(max(1, events // (STUDENTS + 21))):
        prog = Program.launch(
            id=uuid.uuid4(), partnership_id=p.id, organisation_ids=p.organisation_ids, name=f"Club {i}", kind="club",
            capacity=STUDENTS // 2, starts_on=AT.date(), ends_on=AT.date() + timedelta(days=90), at=AT,
        )
        for s in kids:
            prog.enrol(student_id=s.id, student_name=s.name, at=AT)
        for s in kids[:5]:
            prog.withdraw(student_id=s.id, student_name=s.name, reason="moved", at=AT)
        for j, s in enumerate(kids[5:15]):
            m = mentors[(i + j) % MENTORS]
            prog.assign_mentor(student_id=s.id, student_name=s.name, mentor_id=m.id, mentor_name=m.name, at=AT)
        for s in kids[5:10]:
            prog.complete(student_id=s.id, student_name=s.name, at=AT)
        prog.record_showcase(
            showcase_id=uuid.uuid4(), title="Demo day", held_on=AT.date(), presenter_ids=tuple(s.id for s in kids[10:15]),
            attending_organisation_ids=(firm.id,), partner_ids=frozenset({school.id, firm.id}), at=AT,
        )
        await store.append(appends(codec, [prog]))
        programs.append(prog.id)
    return programs


async def median_us(run: Any, repeats: int) -> float:
    await run()  # warm: prepared statements, caches
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        await run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6


async def run(admin_url: str, *, quick: bool) -> list[harness.Row]:
    events = 100_000
    async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:
        pool = await create_pool(dsn, 2, 10)
        try:
            programs = await fill(deps, events)
            total = await pool.fetchval("SELECT count(*) FROM events")
            runner = ProjectionRunner(pool, deps.store, deps.codec, default_projections())
            await runner.setup()
            await runner.catch_up()
            with harness.Timer() as rebuild:
                for name in runner.names():
                    await runner.rebuild(name)

            async def open_pool(search_path: str, size: int) -> Any:
                return await create_pool(dsn, 1, size, search_path=search_path)

            views = AsOfViews(
                pool, deps.store, deps.codec, default_projections(), open_pool,
                migrations=[n for n, _ in available()], limits=AsOfLimits(max_events=10**7),
            )
            await views.start()
            head = await pool.fetchval("SELECT max(position) FROM events")
            with harness.Timer() as build:
                lease = await views.lease(await views.checkpoint(position=head, at=None))
            await lease.release()
            rows = [
                harness.Row(
                    name=f"14. first as-of build of a {total:,}-event log", unit="s", ours=build.seconds,
                    limit=rebuild.seconds, target="≤ the full rebuild of that log", met=build.seconds <= rebuild.seconds,
                    higher_is_better=False,
                    notes="every read model replayed into a scratch schema; limit: every projection rebuilt from 0",
                    extra={"events": total, "events_per_s": total / build.seconds},
                )
            ]
            with tempfile.TemporaryDirectory() as keys:
                settings = Settings(database_url=dsn, data_dir=Path(keys))
                positions, live = PositionWatcher(pool, deps.store), LiveTail(deps.store)
                api = ApiServices(
                    pool=pool, store=deps.store, deps=deps, read_wait_seconds=2.0, positions=positions, live=live,
                    auth=authenticator_for(settings, pool), as_of=views,
                )
                query = VIEW % programs[0]
                past = "{ asOf(position: %d) %s }" % (head, query)

                async def execute(document: str) -> None:
                    context = Context(api=api, loaders=Loaders(pool), principal=ADMIN, correlation_id=uuid.uuid4())
                    result = await schema.execute(document, context_value=context)
                    assert not result.errors, result.errors

                repeats = 50 if quick else 200
                live_us = await median_us(lambda: execute(query), repeats)
                past_us = await median_us(lambda: execute(past), repeats)
                await live.close()
                await positions.close()
            rows.append(
                harness.Row(
                    name=f"15. cached as-of read of a program's {STUDENTS} enrolments", unit="µs", ours=past_us,
                    limit=live_us, target="≤ 2× the live read", met=past_us <= 2 * live_us, higher_is_better=False,
                    notes=f"in-process through the schema; median of {repeats}; limit: the same query live",
                    extra={"ratio": past_us / live_us},
                )
            )
            await views.close()
        finally:
            await pool.close()
    return rows
