"""`verify` checks full pages in bulk (one concatenation of leaves a page) and falls back to
a leaf at a time only where a page differs: with pages of a few events, tampering in a later
page is named exactly as with one page for the whole log."""

from __future__ import annotations

import pytest
from bridgework.infra import sealing
from bridgework.infra.sealing import Verdict, verify
from bridgework.services.directory import RegisterStudent, register_student
from support.context import staff
from support.sealed import a_sealed_log, superuser, swap_in_log_order

PAGES = (1, 2, 3, 4)


async def _verdicts(monkeypatch: pytest.MonkeyPatch, pool) -> tuple[Verdict, list[Verdict]]:
    """The verdict with one page for the whole log, then with each of `PAGES`."""
    monkeypatch.setattr(sealing, "_PAGE", 10_000)
    whole = await verify(pool)
    paged = []
    for page in PAGES:
        monkeypatch.setattr(sealing, "_PAGE", page)
        paged.append(await verify(pool))
    return whole, paged


async def test_an_untouched_log_verifies_in_small_pages(pool, deps, monkeypatch):
    await a_sealed_log(pool, deps)
    size = await pool.fetchval("SELECT size FROM seal_state")
    leaf_at_a_time = []
    hashed_after = sealing._hashed_after

    def spy(pool, last, most):
        leaf_at_a_time.append(most)
        return hashed_after(pool, last, most)

    monkeypatch.setattr(sealing, "_hashed_after", spy)
    whole, paged = await _verdicts(monkeypatch, pool)
    assert whole == Verdict(sealed=size, unsealed=0)
    assert paged == [whole] * len(PAGES)
    # every full page passed the bulk check (hashed here or there): only the rest went slowly
    assert leaf_at_a_time == [size] + [size % page for page in PAGES]


async def test_an_altered_event_in_a_later_page_is_named_as_with_one_page(
    pool, deps, admin_pool, monkeypatch
):
    await a_sealed_log(pool, deps)
    position, event_id = await pool.fetchrow(
        "SELECT position, event_id FROM events ORDER BY tx_id, position LIMIT 1 OFFSET 6"
    )
    await superuser(admin_pool, "UPDATE events SET payload = '{}' WHERE position = $1", position)
    whole, paged = await _verdicts(monkeypatch, pool)
    assert whole.problem == f"leaf 6: event {event_id} at position {position} was altered"
    assert paged == [whole] * len(PAGES)


@pytest.mark.parametrize("offset", [0, 5, 7, -1])
async def test_a_removed_event_in_any_page_is_named_as_with_one_page(
    pool, deps, admin_pool, monkeypatch, offset
):
    await a_sealed_log(pool, deps)
    order = "DESC" if offset < 0 else ""
    position, event_id = await pool.fetchrow(
        f"SELECT position, event_id FROM events ORDER BY tx_id {order}, position {order}"  # noqa: S608
        f" LIMIT 1 OFFSET {max(offset, 0)}"
    )
    await superuser(admin_pool, "DELETE FROM events WHERE position = $1", position)
    whole, paged = await _verdicts(monkeypatch, pool)
    assert whole.problem is not None
    assert f"event {event_id} at position {position} was removed" in whole.problem
    assert paged == [whole] * len(PAGES)


async def test_a_removed_stored_leaf_and_a_swap_across_pages_are_named_as_with_one_page(
    pool, deps, admin_pool, monkeypatch
):
    await a_sealed_log(pool, deps)
    (a, a_tx, _), (b, b_tx, b_id) = await pool.fetch(
        "SELECT position, tx_id, event_id FROM events ORDER BY tx_id, position LIMIT 2 OFFSET 5"
    )
    await swap_in_log_order(admin_pool, a, b, a_tx, b_tx)
    whole, paged = await _verdicts(monkeypatch, pool)
    assert (
        whole.problem == f"leaf 5: event {b_id} at position {b} was moved (it was sealed as leaf 6)"
    )
    assert paged == [whole] * len(PAGES)
    await swap_in_log_order(admin_pool, a, b, b_tx, a_tx)  # and back
    await superuser(admin_pool, "DELETE FROM seal_leaves WHERE leaf_index = 3")
    whole, paged = await _verdicts(monkeypatch, pool)
    assert whole.problem == "leaf 3: its stored hash was removed"
    assert paged == [whole] * len(PAGES)


async def test_new_events_after_the_seal_are_counted_unsealed_in_small_pages(
    pool, deps, monkeypatch
):
    await a_sealed_log(pool, deps)
    await register_student(deps, staff(), RegisterStudent(name="Di Quill", grade=7))
    whole, paged = await _verdicts(monkeypatch, pool)
    assert (whole.problem, whole.unsealed) == (None, 1)
    assert paged == [whole] * len(PAGES)
