"""Credentials and pathways: recorded for students who took part, counted by partnerships."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from bridgework.domain.achievements import Pathway
from bridgework.domain.errors import RuleViolated
from bridgework.projections.achievements import credentials_of_students, pathways_of_students
from bridgework.projections.partnerships.charter import success_metrics
from bridgework.services.achievements import (
    RecordCredential,
    RecordPathway,
    record_credential,
    record_pathway,
)
from bridgework.services.command.base import parse
from bridgework.services.errors import InvalidInput
from bridgework.services.partnerships.charter import DefineSuccessMetric, define_success_metric
from support.context import staff
from support.scenario import TODAY, a_program, enrol, runner_for, students


async def test_outcomes_are_listed_and_measured_for_the_partnership(deps, pool, store):
    program, _, partnership = await a_program(deps, capacity=3)
    ana, bo, outsider = await students(deps, 3)
    for kid in (ana, bo):
        await enrol(deps, program, kid)
    for kind in ("placements", "credentials"):
        await define_success_metric(
            deps,
            staff(),
            parse(
                DefineSuccessMetric,
                {
                    "partnership_id": str(partnership),
                    "name": kind,
                    "measure": kind,
                    "target": "2",
                },
            ),
        )
    await record_credential(
        deps,
        staff(),
        RecordCredential(
            student_id=ana, program_id=program, name="OSHA 10", issuer="OSHA", earned_on=TODAY
        ),
    )
    for kid, pathway in (
        (ana, Pathway.JOB_OFFER),
        (ana, Pathway.APPRENTICESHIP),
        (bo, Pathway.COLLEGE_STEM),
    ):
        await record_pathway(
            deps,
            staff(),
            RecordPathway(
                student_id=kid, program_id=program, pathway=pathway, on=TODAY, organisation="Ardent"
            ),
        )

    before = await store.head()
    with pytest.raises(RuleViolated) as refused:
        await record_credential(
            deps,
            staff(),
            RecordCredential(
                student_id=ana, program_id=program, name="osha 10", issuer="OSHA", earned_on=TODAY
            ),
        )
    assert refused.value.rule == "CREDENTIAL_EXISTS"
    with pytest.raises(RuleViolated) as refused:
        await record_pathway(
            deps,
            staff(),
            RecordPathway(
                student_id=outsider, program_id=program, pathway=Pathway.JOB_OFFER, on=TODAY
            ),
        )
    assert refused.value.rule == "NOT_IN_PROGRAM"
    with pytest.raises(RuleViolated) as refused:
        await record_pathway(
            deps,
            staff(),
            RecordPathway(student_id=bo, pathway=Pathway.JOB_OFFER, on=TODAY + timedelta(days=1)),
        )
    assert refused.value.rule == "DATE_IN_FUTURE"
    with pytest.raises(InvalidInput) as bad:
        parse(RecordPathway, {"student_id": str(bo), "pathway": "gap_year", "on": str(TODAY)})
    assert bad.value.field == "pathway"
    assert await store.head() == before

    runner = runner_for(pool, deps)
    await runner.setup()
    await runner.catch_up()
    assert [x.name for x in (await credentials_of_students(pool, [ana]))[ana]] == ["OSHA 10"]
    assert len((await pathways_of_students(pool, [ana]))[ana]) == 2
    metrics = {m.name: m.current for m in (await success_metrics(pool, [partnership]))[partnership]}
    assert metrics == {"placements": Decimal(1), "credentials": Decimal(1)}  # Ana, once
