"""Scratch schemas of past views: the same rows the live views had then, built once, kept
within their limits, never half-built, stale after an erasure or a code change."""

from __future__ import annotations

import asyncio
import json

import pytest
from bridgework.infra.crypto.kek import process_keks
from bridgework.infra.database import create_pool
from bridgework.infra.migrate import available
from bridgework.projections.asof import AsOfLimits, AsOfRefused, AsOfViews
from bridgework.projections.registry import default_projections
from bridgework.services.directory import EraseStudent, erase_student
from bridgework.services.ports import Checkpoint
from support.context import staff
from support.scenario import a_program, enrol, runner_for, students
from support.serve import cli, environment
from support.views import view_digests


@pytest.fixture
async def views(pool, deps, database_url):
    made = []

    def make(**limits) -> AsOfViews:
        async def open_pool(search_path: str, size: int):
            return await create_pool(database_url, 1, size, search_path=search_path)

        found = AsOfViews(
            pool,
            deps.store,
            deps.codec,
            default_projections(),
            open_pool,
            migrations=[name for name, _ in available()],
            limits=AsOfLimits(**limits),
        )
        made.append(found)
        return found

    yield make
    for found in made:
        await found.close()


async def schemas(pool) -> list[str]:
    rows = await pool.fetch("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'asof%'")
    return sorted(r[0] for r in rows)


async def a_story(pool, deps):
    """A program, four students in three seats; the live views caught up at each step."""
    runner = runner_for(pool, deps)
    await runner.setup()
    program, _, _ = await a_program(deps, capacity=3)
    kids = await students(deps, 4)
    moments = []
    for kid in kids:
        position = (await enrol(deps, program, kid)).position
        await runner.catch_up()
        moments.append((position, await view_digests(pool)))
    return runner, kids, moments


async def test_a_past_view_has_the_rows_the_live_views_had_then(pool, deps, views):
    _, _, moments = await a_story(pool, deps)
    as_of = views()
    for position, then in moments[:-1]:
        lease = await as_of.lease(await as_of.checkpoint(position=position, at=None))
        assert await view_digests(lease.reader) == then
        assert await view_digests(lease.reader) != moments[-1][1]
        await lease.release()
    assert await view_digests(pool) == moments[-1][1]  # the live views untouched


async def test_the_same_view_asked_for_together_is_built_once(pool, deps, views):
    _, _, moments = await a_story(pool, deps)
    as_of = views(max_builds=1)
    cp = await as_of.checkpoint(position=moments[1][0], at=None)
    other = await as_of.checkpoint(position=moments[2][0], at=None)
    leases = await asyncio.gather(*(as_of.lease(c) for c in (cp, cp, other, cp, other)))
    assert as_of.builds == 2
    assert len({id(lease.reader) for lease in leases}) == 2
    for lease in leases:
        await lease.release()


async def test_schemas_past_the_count_or_age_are_dropped_once_unleased(pool, deps, views):
    _, _, moments = await a_story(pool, deps)
    as_of = views(max_schemas=2)
    first, *rest = [await as_of.checkpoint(position=p, at=None) for p, _ in moments[:3]]
    held = await as_of.lease(first)
    for cp in rest:
        await (await as_of.lease(cp)).release()
    names = await schemas(pool)
    assert len(names) == 3  # the oldest is out of the cache, but still leased
    assert await view_digests(held.reader) == moments[0][1]
    await held.release()
    assert len(await schemas(pool)) == 2
    aged = views(max_age_seconds=1e-9)
    await (await aged.lease(first)).release()
    await (await aged.lease(rest[0])).release()
    assert aged.builds == 1  # rest[0] was built already; first was dropped and rebuilt
    # each is too old once its lease ends: only the schema the first cache still holds is left
    assert await schemas(pool) == [f"asof_{as_of.fingerprint}_{rest[1].position}_0"]


async def test_a_view_needing_more_events_than_the_limit_is_refused(pool, deps, views):
    _, _, moments = await a_story(pool, deps)
    as_of = views(max_events=5)
    with pytest.raises(AsOfRefused, match="more than the limit of 5") as refused:
        await as_of.lease(await as_of.checkpoint(position=moments[-1][0], at=None), field="at")
    assert refused.value.field == "at"
    assert await schemas(pool) == []


async def test_a_crashed_build_and_other_code_versions_leave_nothing_in_use(pool, deps, views):
    _, _, moments = await a_story(pool, deps)
    for name in ("asof_tmp_crashed", "asof_tmp_running", "asof_0123456789_3_0"):
        await pool.execute(f'CREATE SCHEMA "{name}"')
    as_of = views()
    async with pool.acquire() as building:
        await building.execute("SELECT pg_advisory_lock(hashtext('asof_tmp_running'))")
        await as_of.start()
        assert await schemas(pool) == ["asof_tmp_running"]  # its builder is still at work
    lease = await as_of.lease(await as_of.checkpoint(position=moments[0][0], at=None))
    assert lease.reader is not None
    assert [s for s in await schemas(pool) if not s.startswith("asof_tmp")] == [
        f"asof_{as_of.fingerprint}_{moments[0][0]}_0"
    ]
    await lease.release()


async def test_an_erasure_makes_past_views_rebuilt_without_the_students_data(pool, deps, views):
    runner, kids, moments = await a_story(pool, deps)
    as_of = views()
    cp = await as_of.checkpoint(position=moments[-1][0], at=None)
    before = await as_of.lease(cp)
    names = [r[0] for r in await before.reader.fetch("SELECT name FROM directory_students")]
    assert "Student 0" in names
    await before.release()
    await erase_student(deps, staff(), EraseStudent(student_id=kids[0], reason="asked"))
    await runner.catch_up()
    after = await as_of.lease(cp)
    names = [r[0] for r in await after.reader.fetch("SELECT name FROM directory_students")]
    assert "Student 0" not in names
    assert len(names) == 4
    assert as_of.builds == 2
    await after.release()


async def test_positions_and_times_map_to_checkpoints_and_bad_ones_are_refused(pool, deps, views):
    _, _, moments = await a_story(pool, deps)
    as_of = views()
    position = moments[1][0]
    cp = await as_of.checkpoint(position=position, at=None)
    assert cp == Checkpoint(
        await pool.fetchval("SELECT tx_id FROM events WHERE position = $1", position), position
    )
    recorded = await pool.fetchval("SELECT recorded_at FROM events WHERE position = $1", position)
    assert await as_of.checkpoint(position=None, at=recorded) == cp
    assert (await as_of.checkpoint(position=0, at=None)).position == 0
    for position, at, field in ((-1, None, "position"), (10**6, None, "position")):
        with pytest.raises(AsOfRefused) as refused:
            await as_of.checkpoint(position=position, at=at)
        assert refused.value.field == field


@pytest.mark.slow
async def test_bridgework_as_of_prints_the_json_of_a_query_as_of_then(
    pool, deps, database_url, tmp_path
):
    _, _, moments = await a_story(pool, deps)
    env = environment(
        DATABASE_URL=database_url,
        BRIDGEWORK_DATA_DIR=str(tmp_path),
        BRIDGEWORK_KEK=process_keks().current.encoded(),  # the test store's, to read the log
    )
    query = "{ programs { edges { node { enrollment { enrolled waitlisted } } } } }"
    printed = cli("as-of", "--position", str(moments[3][0]), "--query", query, env=env)
    assert printed.returncode == 0, printed.stderr
    [edge] = json.loads(printed.stdout)["programs"]["edges"]
    assert edge["node"]["enrollment"] == {"enrolled": 3, "waitlisted": 1}
    then = cli("as-of", "--position", str(moments[0][0]), "--query", query, env=env)
    assert json.loads(then.stdout)["programs"]["edges"][0]["node"]["enrollment"] == {
        "enrolled": 1,
        "waitlisted": 0,
    }
    refused = cli("as-of", "--position", "-5", "--query", query, env=env)
    assert refused.returncode == 1
    assert '"field":"position"' in refused.stderr
    assert "0 or more" in refused.stderr
