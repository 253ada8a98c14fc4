"""Read-your-writes through one watcher per process: many waiters, one read per round."""

from __future__ import annotations

import asyncio
import time

import pytest
from bridgework.projections.positions import PositionBeyondHead, PositionWatcher
from bridgework.services.directory import RegisterStudent, register_student
from support.context import staff
from support.scenario import runner_for


@pytest.fixture
async def runner(pool, deps):
    runner = runner_for(pool, deps)
    await runner.setup()
    return runner


async def test_a_hundred_waiters_share_one_watcher_and_its_reads_do_not_grow_with_them(
    deps, pool, runner
):
    written = await register_student(deps, staff(), RegisterStudent(name="Ana Lima"))
    watcher = PositionWatcher(pool, deps.store, poll_interval=0.02)
    started = time.monotonic()
    waiting = [asyncio.create_task(watcher.wait(written.position, 60)) for _ in range(100)]
    await asyncio.sleep(0.3)  # the views are behind: everyone waits
    assert not any(w.done() for w in waiting)
    following = asyncio.create_task(runner.run())
    try:
        assert await asyncio.gather(*waiting) == [True] * 100
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)
    elapsed = time.monotonic() - started
    # One read per round of the shared poll; polling per waiter every 10 ms would have
    # read 100 * elapsed / 0.01 times.
    assert watcher.stats.reads <= elapsed / watcher.poll_interval + 2
    assert watcher.stats.reads < 100
    assert watcher.stats.caught_up == 100
    await watcher.close()


async def test_a_position_beyond_the_head_is_refused_before_anything_waits(deps, pool):
    written = await register_student(deps, staff(), RegisterStudent(name="Ana Lima"))
    watcher = PositionWatcher(pool, deps.store)
    with pytest.raises(PositionBeyondHead) as refused:
        await watcher.wait(written.position + 1000, 60)
    assert (refused.value.position, refused.value.head) == (
        written.position + 1000,
        written.position,
    )
    assert watcher.stats.reads == 0


async def test_a_waiter_gives_up_when_the_views_stay_behind_and_the_watcher_then_rests(
    deps, pool, runner
):
    written = await register_student(deps, staff(), RegisterStudent(name="Ana Lima"))
    watcher = PositionWatcher(pool, deps.store)
    assert not await watcher.wait(written.position, 0.1)
    assert watcher.stats.timed_out == 1
    await asyncio.sleep(0.2)
    rested = watcher.stats.reads
    await asyncio.sleep(0.2)
    assert watcher.stats.reads == rested  # nobody waits: nothing is read
    await runner.catch_up()
    assert await watcher.wait(written.position, 0)  # a zero timeout still takes one look
    assert await watcher.wait(written.position, 0, ["directory", "timeline"])
