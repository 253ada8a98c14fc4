from __future__ import annotations

from pathlib import Path

from bridgework.domain.organisation import OrganisationKind
from bridgework.domain.program import ProgramKind
from bridgework.graphql import enums
from bridgework.graphql.schema import export_sdl
from bridgework.projections.views import EnrolmentStatus

COMMITTED = Path(__file__).parents[2] / "graphql" / "schema.graphql"


def test_the_committed_schema_matches_the_code():
    assert COMMITTED.read_text(encoding="utf-8") == export_sdl(), (
        "graphql/schema.graphql is stale: run `uv run bridgework schema > graphql/schema.graphql`"
    )


def test_graphql_enums_carry_exactly_the_domain_values():
    assert {k.value for k in enums.OrganisationKind} == {k.value for k in OrganisationKind}
    assert {k.value for k in enums.ProgramKind} == {k.value for k in ProgramKind}
    assert {s.value for s in enums.EnrollmentStatus} == set(EnrolmentStatus.__args__)
