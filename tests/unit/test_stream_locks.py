"""Stream locks queue same-stream commands but can never make two commands wait for each
other, nor a command for itself."""

from __future__ import annotations

import asyncio

from bridgework.services.streams import StreamLocks


async def test_a_second_command_on_a_stream_waits_for_the_first_to_release_it():
    locks, order = StreamLocks(), []

    async def command(name: str, hold: float) -> None:
        assert await locks.acquire("program-1", wait=True)
        order.append(f"{name} in")
        await asyncio.sleep(hold)
        order.append(f"{name} out")
        locks.release("program-1")

    await asyncio.gather(command("first", 0.02), command("second", 0))
    assert order == ["first in", "first out", "second in", "second out"]
    assert not locks


async def test_streams_locked_in_opposite_orders_never_deadlock():
    locks = StreamLocks()
    both_hold_their_first = asyncio.Barrier(2)

    async def command(first: str, second: str) -> bool:
        assert await locks.acquire(first, wait=True)
        await both_hold_their_first.wait()
        got = await locks.acquire(second, wait=True)  # already holding one: never waits
        await asyncio.sleep(0)
        if got:
            locks.release(second)
        locks.release(first)
        return got

    got = await asyncio.wait_for(asyncio.gather(command("a", "b"), command("b", "a")), 1)
    assert got == [False, False]
    assert not locks


async def test_a_command_inside_another_on_the_same_stream_goes_on_without_the_lock():
    locks = StreamLocks()
    assert await locks.acquire("program-1", wait=True)
    async with asyncio.timeout(1):  # in this same task, unlike wait_for
        assert not await locks.acquire("program-1", wait=True)
    locks.release("program-1")
    assert not locks
