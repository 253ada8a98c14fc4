from __future__ import annotations

import importlib
from pathlib import Path

from bridgework.domain.organisation import OrganisationKind
from bridgework.domain.program import ProgramKind
from bridgework.graphql import enums
from bridgework.graphql.schema import AREAS, SHARED, export_sdl
from bridgework.projections.enrolment import EnrolmentStatus

GRAPHQL = Path(__file__).parents[2] / "graphql"
COMMITTED = GRAPHQL / "schema.graphql"


def test_the_committed_schema_matches_the_code():
    assert COMMITTED.read_text(encoding="utf-8") == export_sdl(), (
        "graphql/schema.graphql is stale: run `uv run bridgework schema > graphql/schema.graphql`"
    )


def test_graphql_enums_carry_exactly_the_domain_values():
    assert {k.value for k in enums.OrganisationKind} == {k.value for k in OrganisationKind}
    assert {k.value for k in enums.ProgramKind} == {k.value for k in ProgramKind}
    assert {s.value for s in enums.EnrollmentStatus} == set(EnrolmentStatus.__args__)


def test_every_module_of_types_is_an_area_or_shared():
    """A module's `Query`, `Mutation` or `Subscription` reaches the schema only through
    `schema.AREAS`, and its types get their docstrings as descriptions only there or in
    `schema.SHARED`: a module left out would lose fields or descriptions without an error."""
    with_roots, with_types = set(), set()
    for path in GRAPHQL.rglob("*.py"):
        parts = path.relative_to(GRAPHQL).with_suffix("").parts
        module = importlib.import_module(".".join(("bridgework.graphql", *parts)))
        own = [v for v in vars(module).values() if getattr(v, "__module__", "") == module.__name__]
        if any(hasattr(v, "__strawberry_definition__") for v in own):
            with_types.add(module.__name__)
        if {"Query", "Mutation", "Subscription"} & set(vars(module)):
            with_roots.add(module.__name__)
    areas = {area.__name__ for area in AREAS}
    assert with_roots <= areas
    assert with_types == areas | {shared.__name__ for shared in SHARED}
