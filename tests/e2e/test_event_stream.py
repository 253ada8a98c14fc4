"""The `events` subscription over real websockets while real HTTP clients write concurrently:
every subscriber gets exactly the log, in the log's own order, caught up and then live."""

from __future__ import annotations

import asyncio

import pytest
from support.serve import Follower, Serve, read_log, run

WRITERS = 4
WRITES_EACH = 60
"""Four writers, alternating organisations and students: 240 events racing to commit."""

ORGANISATION = """mutation($name: String!) {
  registerOrganization(input: {name: $name, kind: NONPROFIT}) {
    __typename ... on OrganizationRegistered { position } } }"""
STUDENT = """mutation($name: String!) {
  registerStudent(input: {name: $name, grade: 9}) {
    __typename ... on StudentRegistered { position } } }"""


async def register(session, index: int, name: str) -> int:
    """Register an organisation (even `index`) or a student (odd); return its position."""
    document, field = (ORGANISATION, "registerOrganization")
    if index % 2:
        document, field = (STUDENT, "registerStudent")
    result = (await run(session, document, name=name))[field]
    assert result["__typename"] in {"OrganizationRegistered", "StudentRegistered"}, result
    return result["position"]


async def writer(server: Serve, label: str, halfway: asyncio.Event | None = None) -> list[int]:
    """One HTTP client of its own writing `WRITES_EACH` registrations one after another."""
    async with server.http() as session:
        positions = []
        for i in range(WRITES_EACH):
            if halfway is not None and i == WRITES_EACH // 2:
                halfway.set()
            positions.append(await register(session, i, f"{label} #{i}"))
        return positions


def log_order(event: dict) -> tuple[int, int]:
    return int(event["txId"]), event["position"]


@pytest.mark.slow
async def test_subscribers_catch_up_then_follow_four_concurrent_writers_missing_nothing(
    server, http
):
    before = [await register(http, i, f"Stream before #{i}") for i in range(20)]
    halfway = asyncio.Event()
    async with (
        server.websocket() as everything,
        server.websocket() as students,
        server.websocket() as latecomer,
        Follower(everything, after=None) as first,
        Follower(students, after=None, types=["StudentRegistered"]) as filtered,
    ):
        writing = asyncio.gather(
            writer(server, "Stream writer 0", halfway),
            *(writer(server, f"Stream writer {n}") for n in range(1, WRITERS)),
        )
        await halfway.wait()
        async with Follower(latecomer, after=None) as late:  # joins with the writers mid-way
            written = await writing

            log = await read_log(http)
            student_log = await read_log(http, types=["StudentRegistered"])
            # The query's order is the log's documented one, and its filter is the same log.
            assert [log_order(e) for e in log] == sorted(log_order(e) for e in log)
            assert student_log == [e for e in log if e["type"] == "StudentRegistered"]
            positions = [e["position"] for e in log]
            assert len(set(positions)) == len(positions)
            assert {*before, *(p for w in written for p in w)} <= set(positions)
            assert sum(len(w) for w in written) == WRITERS * WRITES_EACH

            assert await first.until(len(log)) == log
            assert await late.until(len(log)) == log
            assert await filtered.until(len(student_log)) == student_log


async def test_a_subscription_after_a_middle_cursor_gets_exactly_the_rest_then_live_ones(
    server, http
):
    for i in range(10):
        await register(http, i, f"Resume before #{i}")
    log = await read_log(http)
    k = len(log) // 2
    cursor = log[k - 1]["cursor"]
    organisations = [e for e in log[k:] if e["type"] == "OrganisationRegistered"]
    async with (
        server.websocket() as all_session,
        server.websocket() as org_session,
        Follower(all_session, after=cursor) as rest,
        Follower(org_session, after=cursor, types=["OrganisationRegistered"]) as orgs,
    ):
        assert await rest.until(len(log) - k) == log[k:]
        assert await orgs.until(len(organisations)) == organisations

        live = [await register(http, 0, f"Resume live #{i}") for i in range(3)]
        received = await rest.until(len(log) - k + 3)
        assert received[: len(log) - k] == log[k:]
        assert [e["position"] for e in received[len(log) - k :]] == live
        assert [e["payload"]["name"] for e in received[len(log) - k :]] == [
            f"Resume live #{i}" for i in range(3)
        ]
        received_orgs = await orgs.until(len(organisations) + 3)
        assert [e["position"] for e in received_orgs[len(organisations) :]] == live
