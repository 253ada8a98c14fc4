"""Parked events are visible, retried, skipped and rebuilt; unknown ones are refused."""

from __future__ import annotations

import pytest
from bridgework.projections.parking import RetryFailed, UnknownParkedEvent
from bridgework.projections.runner import ProjectionRunner
from bridgework.services.directory import RegisterStudent, register_student
from support.context import staff
from support.poison import ATTEMPTS, quick_runner


class Refusing:
    """Counts how often each registered student's event is applied (a rolled-back try
    leaves no count) and refuses the students in `refuse`."""

    name, version = "refusing", 1
    schema = (
        "CREATE TABLE IF NOT EXISTS refusing_applied"
        " (position bigint PRIMARY KEY, times integer NOT NULL)"
    )
    tables = ("refusing_applied",)
    handles = frozenset({"StudentRegistered"})

    def __init__(self) -> None:
        self.refuse = set()
        self.tries = 0

    async def apply_batch(self, conn, events):
        for _, e in events:
            if e.originator_id in self.refuse:
                self.tries += 1
                raise ValueError(f"{e.name} is refused")
        await conn.executemany(
            "INSERT INTO refusing_applied VALUES ($1, 1) ON CONFLICT (position)"
            " DO UPDATE SET times = refusing_applied.times + 1",
            [(s.position,) for s, _ in events],
        )


async def registered(deps, n: int):
    made = []
    for i in range(n):
        r = await register_student(deps, staff(), RegisterStudent(name=f"Kid {i}"))
        made.append((r.id, r.position))
    return made


async def applied(pool) -> dict[int, int]:
    return dict(await pool.fetch("SELECT position, times FROM refusing_applied"))


@pytest.fixture
async def refusing(pool, deps):
    """Ten students; the model refuses the sixth."""
    model = Refusing()
    runner = quick_runner(pool, deps, [model])
    await runner.setup()
    kids = await registered(deps, 10)
    model.refuse.add(kids[5][0])
    return model, runner, kids


async def test_the_event_a_projection_refuses_is_parked_after_its_tries_and_its_batch_applies_once(
    pool, refusing
):
    model, runner, kids = refusing
    assert await runner.catch_up(park=True) == 10
    assert await applied(pool) == {pos: 1 for _, pos in kids if pos != kids[5][1]}
    assert model.tries == 3 + ATTEMPTS  # the batches of 10, of 5 and of 2, then it alone
    [parked] = await runner.parked("refusing")
    assert (parked.position, parked.event_type) == (kids[5][1], "StudentRegistered")
    assert parked.error == "ValueError: Kid 5 is refused"
    assert (await runner.checkpoints())["refusing"].position == kids[-1][1]
    stats = runner.stats["refusing"]
    assert (stats.parked, stats.failures, stats.transient_faults) == (1, 3 + ATTEMPTS, 0)
    assert (stats.events, stats.batches) == (9, 4)  # 0-4, 6, 7-8, 9: 5 then growing back


async def test_a_parked_event_retried_after_its_cause_is_fixed_is_applied_and_resolved(
    pool, refusing
):
    model, runner, kids = refusing
    await runner.catch_up(park=True)
    position = kids[5][1]
    with pytest.raises(RetryFailed, match=f"position {position} .* still fails .*stays parked"):
        await runner.retry_parked("refusing", position)
    [still] = await runner.parked()
    assert (still.attempts, still.resolved_at) == (ATTEMPTS + 1, None)
    assert position not in await applied(pool)

    model.refuse.clear()
    await runner.retry_parked("refusing", position)
    assert (await applied(pool))[position] == 1
    assert await runner.parked() == []
    [resolved] = await runner.parked("refusing", include_resolved=True)
    assert resolved.resolution == "retried"
    assert resolved.resolved_at is not None
    with pytest.raises(UnknownParkedEvent, match="already resolved \\(retried"):
        await runner.retry_parked("refusing", position)


async def test_a_skipped_event_is_resolved_and_never_applied(pool, refusing):
    model, runner, kids = refusing
    await runner.catch_up(park=True)
    model.refuse.clear()
    await runner.skip_parked("refusing", kids[5][1])
    assert await runner.parked() == []
    [skipped] = await runner.parked(include_resolved=True)
    assert skipped.resolution == "skipped"
    assert kids[5][1] not in await applied(pool)
    with pytest.raises(UnknownParkedEvent, match="already resolved \\(skipped"):
        await runner.skip_parked("refusing", kids[5][1])


async def test_unknown_projections_and_positions_are_refused_naming_them(pool, refusing):
    _, runner, kids = refusing
    await runner.catch_up(park=True)
    parked = kids[5][1]
    for attempt in (runner.retry_parked, runner.skip_parked):
        with pytest.raises(UnknownParkedEvent, match="unknown projection 'nonsense'; known: ref"):
            await attempt("nonsense", parked)
        with pytest.raises(
            UnknownParkedEvent, match=f"no event at position {parked + 1} is parked for .*'refus"
        ):
            await attempt("refusing", parked + 1)
    with pytest.raises(UnknownParkedEvent, match="unknown projection 'nonsense'"):
        await runner.parked("nonsense")
    assert [p.position for p in await runner.parked()] == [parked]


async def test_a_rebuild_resolves_parked_events_and_parks_those_that_still_fail(pool, refusing):
    model, runner, kids = refusing
    await runner.catch_up(park=True)
    first = (await runner.parked())[0].parked_at
    await runner.rebuild("refusing")
    [again] = await runner.parked()
    assert (again.position, again.resolution) == (kids[5][1], None)
    assert again.parked_at > first

    model.refuse.clear()
    await runner.rebuild("refusing")
    assert await runner.parked() == []
    [rebuilt] = await runner.parked(include_resolved=True)
    assert rebuilt.resolution == "rebuilt"
    assert await applied(pool) == {pos: 1 for _, pos in kids}


async def test_catching_up_without_parking_still_raises_the_first_failure(pool, refusing):
    _, runner, _ = refusing
    with pytest.raises(ValueError, match="Kid 5 is refused"):
        await runner.catch_up()
    assert await runner.parked() == []
    assert await applied(pool) == {}  # the one batch rolled back whole


async def test_runner_settings_out_of_range_are_refused_naming_them(pool, deps):
    for option in ("max_attempts", "backoff_base", "statement_timeout", "batch_size"):
        with pytest.raises(ValueError, match=f"{option} must be greater than 0, not 0"):
            ProjectionRunner(pool, deps.store, deps.codec, [], **{option: 0})
