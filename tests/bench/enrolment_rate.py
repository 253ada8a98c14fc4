"""Enrolments per second through the service layer (not part of the test run).

    uv run python tests/bench/enrolment_rate.py [--programs 50] [--students 40] [--writers 8]

Uses the embedded PostgreSQL in a temporary folder, or the server in
BRIDGEWORK_BENCH_DATABASE_URL (its database is used as is: point it at a scratch one).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bridgework.infra.database import create_pool, embedded_server
from bridgework.infra.migrate import migrate
from bridgework.infra.store import PostgresEventStore
from bridgework.infra.transcoding import Transcoder
from bridgework.services.directory import LaunchProgram, RegisterOrganization, RegisterStudent, launch_program, register_organization, register_student
from bridgework.services.enrolment import EnrollStudent, enroll_student
from bridgework.services.partnerships.lifecycle import FormPartnership, form_partnership
from bridgework.services.context import Actor, CommandContext, Role
from bridgework.services.unit_of_work import Deps


def ctx() -> CommandContext:
    return CommandContext(
        actor=Actor("bench", Role.ADMINISTRATOR), correlation_id=uuid.uuid4(), command_uuid=uuid.uuid4()
    )


async def main(args: argparse.Namespace, dsn: str) -> None:
    pool = await create_pool(dsn, 2, args.writers + 2)
    await migrate(pool)
    store = PostgresEventStore(pool)
    await store.start()
    deps = Deps(store=store, codec=Transcoder(), clock=lambda: datetime.now(UTC), new_id=uuid.uuid4)
    a = await register_organization(deps, ctx(), RegisterOrganization(name="School", kind="school"))
    b = await register_organization(deps, ctx(), RegisterOrganization(name="Firm", kind="business"))
    p = await form_partnership(deps, ctx(), FormPartnership(name="P", organization_ids=[a.id, b.id]))
    today = datetime.now(UTC).date()
    programs = [
        (await launch_program(deps, ctx(), LaunchProgram(
            partnership_id=p.id, name=f"Program {i}", kind="club", capacity=args.students // 2,
            starts_on=today, ends_on=today + timedelta(days=90),
        ))).id
        for i in range(args.programs)
    ]
    students = [
        (await register_student(deps, ctx(), RegisterStudent(name=f"Student {i}", date_of_birth=date(2000, 1, 1)))).id
        for i in range(args.students)
    ]
    work = [(prog, s) for prog in programs for s in students]
    if not args.contended:  # spread writers over programs; --contended keeps them on one
        random.Random(7).shuffle(work)
    queue: asyncio.Queue[tuple[uuid.UUID, uuid.UUID]] = asyncio.Queue()
    for item in work:
        queue.put_nowait(item)

    async def writer() -> None:
        while not queue.empty():
            prog, s = queue.get_nowait()
            await enroll_student(deps, ctx(), EnrollStudent(program_id=prog, student_id=s))

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(args.writers)))
    elapsed = time.perf_counter() - started
    print(f"{len(work)} enrolments by {args.writers} writers in {elapsed:.2f} s: "
          f"{len(work) / elapsed:,.0f} enrolments/s")
    await store.close()
    await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--programs", type=int, default=50)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--contended", action="store_true", help="all writers on one program")
    args = parser.parse_args()
    url = os.environ.get("BRIDGEWORK_BENCH_DATABASE_URL")
    if url:
        asyncio.run(main(args, url))
    else:
        with tempfile.TemporaryDirectory() as d:
            server = embedded_server(Path(d))
            try:
                asyncio.run(main(args, server.get_uri("postgres")))
            finally:
                server.cleanup()
