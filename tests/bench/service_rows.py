"""Service rows: live lag through the service layer, GraphQL on a real server, memory.

7. Live lag: first the sustainable rate (8 writers sending `enroll_student` to distinct
   programs for 1.5 s, with the projection runner following in the same process, as `serve`
   runs it), then a steady half of it through the service layer, spread over 250 programs;
   for each command, the time from its commit to the enrolment view's checkpoint passing it
   (p50/p99), after a one-second warm-up at the same rate.
8c. Contention through the real server: 50 `enrollStudent` at once into one program of 10
   seats (10 enrolled, 40 waitlisted), five rounds; p50/p99 of every answer.
8. GraphQL over HTTP on a real `bridgework serve` process (16 concurrent clients):
   `enrollStudent` mutations/s, and the `program` query of a program with 100 enrolled
   students, beside a plain Litestar JSON route serving the same view from the same read
   functions in its own uvicorn process: the limit of the framework, so the GraphQL layer's
   cost is the ratio. The two take turns (ROUNDS of each), so both see the same load from
   whatever else runs on the machine.
10. Memory: peak RSS of the `bridgework serve` process during row 8.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import harness
import httpx
import psutil
from bridgework.domain.organisation import Organisation, OrganisationKind
from bridgework.infra import crypto
from bridgework.domain.partnership import Partnership
from bridgework.domain.student import Student
from bridgework.domain.program import Program
from bridgework.domain.program import ProgramKind
from bridgework.projections.registry import default_projections
from bridgework.projections.runner import ProjectionRunner
from bridgework.services.enrolment import EnrollStudent, enroll_student
from bridgework.services.context import Actor, CommandContext, Role
from bridgework.services.ports import Checkpoint, StreamAppend

sys.path.insert(0, str(Path(__file__).parents[1]))
from support.auth import Tokens  # noqa: E402

BRIDGEWORK = Path(sys.executable).with_name("bridgework")
ACTOR = Actor("bench", Role.ADMINISTRATOR)


def ctx() -> CommandContext:
    return CommandContext(actor=ACTOR, correlation_id=uuid.uuid4(), command_uuid=uuid.uuid4())


async def seed(deps: Any, programs: int, capacity: int, students: int, enrolled: int = 0) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """Programs and students written straight through the domain, in a few big appends."""
    now = datetime.now(UTC)
    school = Organisation.register(id=uuid.uuid4(), name="Lincoln", kind=OrganisationKind.SCHOOL, at=now)
    firm = Organisation.register(id=uuid.uuid4(), name="Ardent", kind=OrganisationKind.BUSINESS, at=now)
    p = Partnership.form(id=uuid.uuid4(), name="P", organisation_ids=(school.id, firm.id), goals=(), at=now)
    kids = [Student.register(id=uuid.uuid4(), name=f"Student {i}", grade=12, school_id=school.id, date_of_birth=date(2000, 1, 1), at=now) for i in range(students)]
    progs = [
        Program.launch(id=uuid.uuid4(), partnership_id=p.id, organisation_ids=p.organisation_ids, name=f"Program {i}", kind=ProgramKind.CLUB,
                       capacity=capacity, starts_on=now.date(), ends_on=now.date() + timedelta(days=90), at=now)
        for i in range(programs)
    ]
    for prog in progs:
        for kid in kids[:enrolled]:
            prog.enrol(student_id=kid.id, student_name=kid.name, at=now)
    aggregates = [school, firm, p, *kids, *progs]
    for start in range(0, len(aggregates), 500):
        appends = []
        for a in aggregates[start:start + 500]:
            events = [deps.codec.encode(e, event_id=uuid.uuid4(), metadata=harness.METADATA) for e in a.collect_events()]
            appends.append(StreamAppend(stream_id=type(a).stream_id(a.id), expected_version=0, events=events))
        await deps.store.append(appends)
    return [x.id for x in progs], [k.id for k in kids]


# -- row 7 ----------------------------------------------------------------------------------

PROGRAMS = 250
WARM_UP_SECONDS = 1.0
"""Commands spread over many programs, as real load is: this row measures lag, not contention."""


LAG_STUDENTS = 40
"""Students per program for the lag run (10,000 commands); as many again for the burst."""


async def sustainable_rate(deps: Any, programs: list[uuid.UUID], kids: list[uuid.UUID], seconds: float = 1.5) -> float:
    """Commands/s from 8 writers on distinct programs, with the runner following."""
    pairs = iter([(p, k) for k in kids for p in programs])
    done, deadline = 0, time.perf_counter() + seconds

    async def writer() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            program, student = next(pairs)
            await enroll_student(deps, ctx(), EnrollStudent(program_id=program, student_id=student))
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(8)))
    return done / (time.perf_counter() - started)


async def live_lag_row(admin_url: str, seconds: float) -> harness.Row:
    async with harness.scratch_database(admin_url) as dsn, harness.bridgework(dsn) as deps:
        pool = deps.store._pool  # noqa: SLF001
        programs, kids = await seed(deps, PROGRAMS, 100_000, 2 * LAG_STUDENTS)
        kids, burst_kids = kids[:LAG_STUDENTS], kids[LAG_STUDENTS:]
        runner = ProjectionRunner(pool, deps.store, deps.codec, default_projections())
        await runner.setup()
        await runner.catch_up()
        following = asyncio.create_task(runner.run())
        sustainable = await sustainable_rate(deps, programs, burst_kids)
        await asyncio.sleep(1)  # let the runner catch up with the burst
        rate = int(min(sustainable / 2, PROGRAMS * LAG_STUDENTS / (WARM_UP_SECONDS + seconds)))
        warm_up = int(WARM_UP_SECONDS * rate)  # first statements prepared, first batches run
        count = warm_up + int(seconds * rate)
        committed: dict[int, float] = {}
        pending: dict[Checkpoint, float] = {}
        lags: list[float] = []
        done = asyncio.Event()

        async def command(i: int) -> None:
            cmd = EnrollStudent(program_id=programs[i % PROGRAMS], student_id=kids[i // PROGRAMS])
            result = await enroll_student(deps, ctx(), cmd)
            at = time.perf_counter()
            checkpoint = await deps.store.checkpoint_of(result.position)
            if i >= warm_up and checkpoint is not None:
                pending[checkpoint] = at

        async def watch() -> None:
            while not (done.is_set() and not pending):
                row = await pool.fetchrow("SELECT tx_id, position FROM projection_checkpoints WHERE name = 'enrolment'")
                seen, now = Checkpoint(row[0], row[1]), time.perf_counter()
                for cp in [cp for cp in pending if cp <= seen]:
                    lags.append(now - pending.pop(cp))
                await asyncio.sleep(0.002)

        watcher = asyncio.create_task(watch())
        started = time.perf_counter()
        tasks = []
        for i in range(count):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(command(i)))
        await asyncio.gather(*tasks)
        achieved = count / (time.perf_counter() - started)  # warm-up included: same rate
        done.set()
        await asyncio.wait_for(watcher, 30)
        following.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await following
    s = harness.latency_summary(lags)
    return harness.Row(
        name="7. live lag at half the sustainable rate", unit="p99 ms", ours=s["p99_ms"],
        higher_is_better=False, target="p99 < 100 ms", met=s["p99_ms"] < 100,
        notes=f"p50 {s['p50_ms']:.1f} ms; sustainable {sustainable:.0f} commands/s (8 writers, "
              f"runner following), offered {rate}/s, achieved {achieved:.0f}/s",
        extra=s | {"achieved_rate": achieved, "commands": count - warm_up, "sustainable": sustainable},
    )


# -- rows 8 and 10 --------------------------------------------------------------------------

PLAIN_APP = textwrap.dedent('''
    import contextlib, os, uuid
    from litestar import Litestar, get
    from litestar.datastructures import State
    from bridgework.infra.database import create_pool
    from bridgework.projections import directory, outcomes
    from bridgework.projections import enrolment as seats

    @contextlib.asynccontextmanager
    async def lifespan(app):
        app.state.pool = await create_pool(os.environ["DATABASE_URL"], 2, 10)
        yield
        await app.state.pool.close()

    @get("/program/{program_id:uuid}")
    async def program(program_id: uuid.UUID, state: State) -> dict:
        pool = state.pool
        view = (await directory.programs(pool, [program_id]))[program_id]
        enrolment = (await seats.program_enrolments(pool, [program_id]))[program_id]
        entries = (await seats.enrolments_of_programs(pool, [program_id])).get(program_id, [])
        names = await directory.students(pool, [e.student_id for e in entries])
        outcome = (await outcomes.program_outcomes(pool, [program_id]))[program_id]
        return {"program": {"name": view.name, "enrollment": {
            "enrolled": enrolment.enrolled, "waitlisted": enrolment.waitlisted,
            "seatsLeft": enrolment.seats_left,
            "entries": [{"status": e.status, "waitlistPlace": e.waitlist_place,
                         "student": {"name": names[e.student_id].name}} for e in entries]},
            "outcome": {"completions": outcome.completions, "completionRate": outcome.completion_rate,
                        "showcasesHeld": outcome.showcases_held}}}

    app = Litestar(route_handlers=[program], lifespan=[lifespan])
''')

QUERY = """query($id: ID!) { program(id: $id) { name enrollment { enrolled waitlisted seatsLeft
  entries { status waitlistPlace student { name } } }
  outcome { completions completionRate showcasesHeld } } }"""
ENROL = """mutation($p: ID!, $s: ID!) { enrollStudent(input: {programId: $p, studentId: $s}) {
  __typename } }"""


RACES = 5
RACERS = 50
RACE_SEATS = 10


async def enrol(
    client: httpx.AsyncClient, url: str, program: uuid.UUID, student: uuid.UUID, latencies: list[float]
) -> None:
    """One racer's `enrollStudent`, its latency appended to `latencies`."""
    body = {"query": ENROL, "variables": {"p": str(program), "s": str(student)}}
    started = time.perf_counter()
    r = await client.post(url, json=body)
    latencies.append(time.perf_counter() - started)
    r.raise_for_status()
    if r.json().get("data", {}).get("enrollStudent", {}).get("__typename") != "StudentEnrolled":
        raise RuntimeError(f"a racing enrolment failed: {r.text}")


async def races(url: str, programs: list[uuid.UUID], students: list[uuid.UUID], headers: dict[str, str]) -> dict[str, float]:
    """Row 8c: for each program, every student's `enrollStudent` at the same moment, each on
    a connection of its own (as 50 browsers would); every latency, pooled over the rounds.

    The 50 clients are built before the start: building one (an SSL context) costs about
    25 ms of this process's CPU, and built inside the race it ran on the event loop while
    the other requests waited for their answers, which added over a second to the p99
    (tests/bench/profile_contended.py). Each request still opens its own connection."""
    latencies: list[float] = []
    for program in programs:
        clients = [httpx.AsyncClient(timeout=60, headers=headers) for _ in students]
        try:
            await asyncio.gather(*(enrol(c, url, program, s, latencies) for c, s in zip(clients, students, strict=True)))
        finally:
            await asyncio.gather(*(c.aclose() for c in clients))
    return harness.latency_summary(latencies)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], url: str, log: Path) -> Any:
    with log.open("w") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    raise RuntimeError(f"{args[0]} exited: {log.read_text()[-2000:]}")
                with contextlib.suppress(httpx.TransportError):
                    httpx.get(url, timeout=1)
                    break
                time.sleep(0.1)
            yield proc
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


async def hammer(
    url: str, bodies: Any, seconds: float, clients: int = 16, headers: dict[str, str] | None = None
) -> tuple[float, dict[str, float]]:
    """POST (or GET when the body is None) from `clients` concurrent clients for `seconds`."""
    rps, summary, _ = await hammer_for(url, bodies, seconds, clients, headers)
    return rps, summary


async def hammer_for(
    url: str, bodies: Any, seconds: float, clients: int = 16, headers: dict[str, str] | None = None
) -> tuple[float, dict[str, float], list[float]]:
    """`hammer`, with every latency."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(timeout=30, limits=limits, headers=headers) as client:
        async def one() -> None:
            while time.perf_counter() < deadline:
                body = next(bodies)
                started = time.perf_counter()
                r = await (client.get(url) if body is None else client.post(url, json=body))
                r.raise_for_status()
                if body is not None and "errors" in r.json():
                    raise RuntimeError(r.text[:500])
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(clients)))
        return len(latencies) / (time.perf_counter() - started), harness.latency_summary(latencies), latencies


ROUNDS = 6
"""Row 8's query and its plain route take turns, so both see the same load on the machine."""


async def interleaved(
    ours: tuple[str, Any], peer: tuple[str, Any], seconds: float, headers: dict[str, str] | None = None
) -> list[tuple[float, dict[str, float]]]:
    """`seconds` of requests/s and latencies for each of two (url, body) in ROUNDS turns."""
    counts, times, latencies = [0, 0], [0.0, 0.0], [[], []]  # type: ignore[var-annotated]
    for _ in range(ROUNDS):
        for i, (url, body) in enumerate((ours, peer)):
            rps, _, samples = await hammer_for(url, iter(lambda b=body: b, 0), seconds / ROUNDS, headers=headers)
            counts[i] += len(samples)
            times[i] += len(samples) / rps if rps else seconds / ROUNDS
            latencies[i] += samples
    return [(counts[i] / times[i], harness.latency_summary(latencies[i])) for i in (0, 1)]


class PeakRss:
    def __init__(self, pid: int) -> None:
        self.process, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            with contextlib.suppress(psutil.Error):
                self.peak = max(self.peak, self.process.memory_info().rss)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20


async def http_rows(admin_url: str, seconds: float) -> list[harness.Row]:
    async with harness.scratch_database(admin_url) as dsn:
        async with harness.bridgework(dsn) as deps:
            [shown], _ = await seed(deps, 1, 100, 100, enrolled=100)
            open_programs, fresh = await seed(deps, 10, 10_000, 4000)
            racing, racers = await seed(deps, RACES, RACE_SEATS, RACERS)
        port, plain_port = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGEWORK_")}
        # The seeding above sealed personal fields with this process's KEK: the server needs it.
        env |= {"BRIDGEWORK_KEK": crypto.process_keks().current.encoded()}
        env |= {"DATABASE_URL": dsn, "BRIDGEWORK_PORT": str(port), "BRIDGEWORK_POOL_MAX": "20", "BRIDGEWORK_MUTATIONS_PER_MINUTE": "100000000", "BRIDGEWORK_MUTATION_BURST": "100000"}  # the bench measures throughput, not the limit
        plain = f"http://127.0.0.1:{plain_port}/program/{shown}"
        plain_args = [sys.executable, "-m", "uvicorn", "plain_route:app", "--port", str(plain_port), "--log-level", "warning"]
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "plain_route.py").write_text(PLAIN_APP)
            plain_env = env | {"PYTHONPATH": tmp}
            env |= {"BRIDGEWORK_DATA_DIR": tmp}  # the local issuer's key, for the token below
            auth = {"Authorization": Tokens(Path(tmp)).bearer()}  # every request verifies it
            base = f"http://127.0.0.1:{port}"
            with process([str(BRIDGEWORK), "serve"], env, f"{base}/health", Path(tmp, "serve.log")) as server, \
                    process(plain_args, plain_env, plain, Path(tmp, "plain.log")):
                deadline = time.monotonic() + 60
                while (answer := httpx.get(f"{base}/graphql", params={"query": QUERY, "variables": f'{{"id": "{shown}"}}'}, headers=auth).json()).get("data", {}).get("program") is None:
                    if time.monotonic() > deadline:
                        log = Path(tmp, "serve.log").read_text()[-3000:]
                        raise RuntimeError(f"the server's projections did not catch up; last answer {answer}; serve.log ends:\n{log}")
                    await asyncio.sleep(0.2)
                rss = PeakRss(server.pid)
                query = {"query": QUERY, "variables": {"id": str(shown)}}
                (q_rps, q_lat), (p_rps, p_lat) = await interleaved(
                    (f"{base}/graphql", query), (plain, None), seconds, headers=auth)
                pairs = ({"query": ENROL, "variables": {"p": str(open_programs[i % 10]), "s": str(fresh[i // 10])}}
                         for i in range(10 * len(fresh)))
                m_rps, m_lat = await hammer(f"{base}/graphql", pairs, seconds, headers=auth)
                race = await races(f"{base}/graphql", racing, racers, auth)
                peak = rss.stop()
    return [
        harness.Row(
            name="8. program query, 100 students (GraphQL)", unit="requests/s", ours=q_rps, limit=p_rps,
            target="≥ 60% of the plain route", met=q_rps >= 0.6 * p_rps,
            notes=f"GraphQL p50 {q_lat['p50_ms']:.1f} / p99 {q_lat['p99_ms']:.1f} ms; "
                  f"plain route p50 {p_lat['p50_ms']:.1f} / p99 {p_lat['p99_ms']:.1f} ms",
            extra={"graphql": q_lat, "plain": p_lat},
        ),
        harness.Row(
            name="8. enrollStudent mutation (GraphQL)", unit="requests/s", ours=m_rps,
            notes=f"p50 {m_lat['p50_ms']:.1f} / p99 {m_lat['p99_ms']:.1f} ms", extra=m_lat,
        ),
        harness.Row(
            name=f"8c. {RACERS} concurrent enrolments into one program of {RACE_SEATS} seats (real server)",
            unit="p99 ms", ours=race["p99_ms"], higher_is_better=False, target="p99 < 500 ms",
            met=race["p99_ms"] < 500,
            notes=f"p50 {race['p50_ms']:.1f} ms; {RACES} rounds, each request on a connection of its own (clients built before the start), sent at once",
            extra=race,
        ),
        harness.Row(
            name="10. peak RSS of serve during row 8", unit="MB", ours=peak,
            higher_is_better=False, target="< 300 MB", met=peak < 300,
        ),
    ]


async def run(admin_url: str, *, quick: bool) -> list[harness.Row]:
    seconds = 3.0 if quick else 10.0
    return [await live_lag_row(admin_url, seconds), *await http_rows(admin_url, seconds)]


async def run_http(admin_url: str, *, quick: bool) -> list[harness.Row]:
    """Rows 8 and 10 alone (`--only http`), for iterating on the API layer."""
    return await http_rows(admin_url, 3.0 if quick else 10.0)
