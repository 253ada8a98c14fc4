"""A shutdown never hangs on one part: each is given `CLOSE_SECONDS` and named if it overstays."""

from __future__ import annotations

import asyncio
import logging

from bridgework.infra import runtime


async def test_a_part_that_does_not_stop_is_named_and_left_behind(monkeypatch, caplog):
    monkeypatch.setattr(runtime, "CLOSE_SECONDS", 0.05)
    never = asyncio.get_running_loop().create_future()
    with caplog.at_level(logging.ERROR, logger="bridgework"):
        assert not await runtime._closing("the connection pool", never)
    assert never.cancelled()
    assert "the connection pool did not stop within 0.05 s" in caplog.text


async def test_a_part_that_stops_in_time_says_so(monkeypatch):
    monkeypatch.setattr(runtime, "CLOSE_SECONDS", 1.0)
    assert await runtime._closing("the store", asyncio.sleep(0))
