"""A GraphQL request leaves no classes or rate-limit closures for the garbage collector: what
it needs is made once, not per request (found with DEBUG_SAVEALL around one request)."""

from __future__ import annotations

import gc
from typing import Any

from support.api import org


def garbage_of(call: Any) -> list[object]:
    """What the collector finds unreachable after one `call` (after a few to warm up)."""
    for _ in range(3):
        call()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        call()
        gc.collect()
        return list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_a_query_and_a_mutation_make_no_class_and_no_self_calling_closure(api):
    names = iter(range(10))
    queried = garbage_of(
        lambda: api.client.post(
            "/graphql", json={"query": "{ events(first: 5) { __typename } }"}, headers=api.headers()
        )
    )
    mutated = garbage_of(lambda: org(api, f"School {next(names)}"))
    for garbage in (queried, mutated):
        assert garbage  # the collector did look (the test client itself leaves some)
        assert [o for o in garbage if isinstance(o, type)] == []
        functions = [getattr(o, "__qualname__", "") for o in garbage if callable(o)]
        assert not [f for f in functions if "Validator" in f or "commands_in" in f]
