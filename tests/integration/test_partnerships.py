"""Partnerships through their handlers and the `partnerships` view: lifecycle, charter
metrics measured from the log, liaisons, contributions, check-ins; refusals change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.projections.partnerships.charter import partner_roles, success_metrics
from bridgework.projections.partnerships.collaboration import check_ins, contributions, liaisons
from bridgework.projections.partnerships.lifecycle import (
    partnership_states,
    partnership_transitions,
)
from bridgework.services.directory import (
    LaunchProgram,
    RegisterOrganization,
    launch_program,
    register_organization,
)
from bridgework.services.enrolment import CompleteEnrollment, complete_enrollment
from bridgework.services.partnerships.charter import (
    DefineSuccessMetric,
    RecordMetricValue,
    SetPartnerRole,
    define_success_metric,
    record_metric_value,
    set_partner_role,
)
from bridgework.services.partnerships.collaboration import (
    AppointLiaison,
    RecordCheckIn,
    RecordContribution,
    StandDownLiaison,
    appoint_liaison,
    record_check_in,
    record_contribution,
    stand_down_liaison,
)
from bridgework.services.partnerships.lifecycle import (
    ActivatePartnership,
    ConcludePartnership,
    FormPartnership,
    RenewPartnership,
    SuspendPartnership,
    activate_partnership,
    conclude_partnership,
    form_partnership,
    renew_partnership,
    suspend_partnership,
)
from support.context import staff
from support.partnerships import cmd
from support.scenario import a_program, enrol, runner_for, students

TODAY = datetime.now(UTC).date()


@pytest.fixture
async def runner(pool, deps):
    runner = runner_for(pool, deps)
    await runner.setup()
    return runner


async def test_a_partnership_lives_proposed_active_suspended_renewed_concluded(deps, pool, runner):
    orgs = [
        (await register_organization(deps, staff(), RegisterOrganization(name=n, kind="school"))).id
        for n in ("Lincoln", "Ardent")
    ]
    formed = await form_partnership(
        deps,
        staff(),
        FormPartnership(
            name="Robotics",
            organization_ids=orgs,
            proposed=True,
        ),
    )
    p = str(formed.id)
    launch = LaunchProgram(
        partnership_id=formed.id,
        name="Club",
        kind="club",
        capacity=5,
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=30),
    )
    with pytest.raises(RuleViolated, match="is proposed, so it cannot be given a new program"):
        await launch_program(deps, staff(), launch)
    for handler, kind, extra in (
        (activate_partnership, ActivatePartnership, {}),
        (suspend_partnership, SuspendPartnership, {}),
        (activate_partnership, ActivatePartnership, {}),
        (
            renew_partnership,
            RenewPartnership,
            {"term_starts_on": str(TODAY), "term_ends_on": str(TODAY + timedelta(days=365))},
        ),
    ):
        await handler(deps, staff(), cmd(kind, partnership_id=p, reason="board", **extra))
    await launch_program(deps, staff(), launch)
    await conclude_partnership(
        deps, staff(), cmd(ConcludePartnership, partnership_id=p, reason="done")
    )
    with pytest.raises(RuleViolated) as refused:
        await activate_partnership(
            deps, staff(), cmd(ActivatePartnership, partnership_id=p, reason="again")
        )
    assert refused.value.rule == "PARTNERSHIP_CONCLUDED"

    await runner.catch_up()
    state = (await partnership_states(pool, [formed.id]))[formed.id]
    assert state.status == "concluded"
    assert state.term_ends_on == TODAY + timedelta(days=365)
    history = (await partnership_transitions(pool, [formed.id]))[formed.id]
    assert [(t.change, t.status) for t in history] == [
        ("formed", "proposed"),
        ("activated", "active"),
        ("suspended", "suspended"),
        ("activated", "active"),
        ("renewed", "active"),
        ("concluded", "concluded"),
    ]


async def test_measured_metrics_follow_enrolments_and_completions(deps, pool, runner):
    program, _, partnership = await a_program(deps, capacity=3)
    p = str(partnership)
    metric = lambda **kw: define_success_metric(  # noqa: E731
        deps, staff(), cmd(DefineSuccessMetric, partnership_id=p, **kw)
    )
    await metric(
        name="Club enrolment +40%",
        measure="enrolments",
        target="14",
        baseline="10",
        unit="students",
        due_on=str(TODAY + timedelta(days=90)),
    )
    await metric(name="Completion", measure="completion_rate", target="80", unit="%")
    await metric(
        name="Internship completions", measure="completions", target="2", program_kind="internship"
    )
    confident = await metric(
        name="More confident in lab techniques", measure="manual", target="80", unit="%"
    )
    await record_metric_value(
        deps,
        staff(),
        cmd(
            RecordMetricValue,
            partnership_id=p,
            metric_id=str(confident.id),
            value="62",
            recorded_for=str(TODAY),
            note="spring survey",
        ),
    )
    kids = await students(deps, 4)
    for kid in kids:
        await enrol(deps, program, kid)
    await complete_enrollment(
        deps, staff(), CompleteEnrollment(program_id=program, student_id=kids[0])
    )
    await runner.catch_up()

    metrics = (await success_metrics(pool, [partnership]))[partnership]
    current = {m.name: m.current for m in metrics}
    assert current == {
        "Club enrolment +40%": Decimal(4),  # 3 seats, then the 4th student took the freed one
        "Completion": Decimal("25.0"),
        "Internship completions": Decimal(0),  # the club is not an internship
        "More confident in lab techniques": Decimal(62),
    }
    with pytest.raises(RuleViolated) as refused:
        await record_metric_value(
            deps,
            staff(),
            cmd(
                RecordMetricValue,
                partnership_id=p,
                metric_id=str(metrics[0].id),
                value="5",
                recorded_for=str(TODAY),
            ),
        )
    assert refused.value.rule == "METRIC_IS_MEASURED"


async def test_liaisons_contributions_and_check_ins_are_listed(deps, pool, runner):
    _, orgs, partnership = await a_program(deps, capacity=3)
    p = str(partnership)
    liaison = await appoint_liaison(
        deps,
        staff(),
        cmd(
            AppointLiaison,
            partnership_id=p,
            organization_id=str(orgs[1]),
            name="Sam Reyes",
            title="Outreach lead",
            email="sam@ardent.example",
        ),
    )
    await stand_down_liaison(
        deps,
        staff(),
        cmd(
            StandDownLiaison,
            partnership_id=p,
            liaison_id=str(liaison.id),
            reason="moved on",
        ),
    )
    await record_contribution(
        deps,
        staff(),
        cmd(
            RecordContribution,
            partnership_id=p,
            organization_id=str(orgs[1]),
            kind="funding",
            description="Robot kits grant",
            value="12500.00",
            currency="USD",
            contributed_on=str(TODAY),
        ),
    )
    await record_contribution(
        deps,
        staff(),
        cmd(
            RecordContribution,
            partnership_id=p,
            organization_id=str(orgs[1]),
            kind="volunteer_hours",
            description="Engineers at club nights",
            hours="40",
            contributed_on=str(TODAY),
        ),
    )
    await record_check_in(
        deps,
        staff(),
        cmd(
            RecordCheckIn,
            partnership_id=p,
            held_on=str(TODAY),
            attendees=["Ana", "Sam"],
            notes="Termly review",
            decisions=["Add a second club night"],
            follow_ups=[{"action": "Book the lab", "owner": "Ana", "due_on": str(TODAY)}],
        ),
    )
    await set_partner_role(
        deps,
        staff(),
        cmd(
            SetPartnerRole,
            partnership_id=p,
            organization_id=str(orgs[1]),
            role="Mentor provider",
            commitments=["Three engineers weekly"],
        ),
    )
    await runner.catch_up()

    (sam,) = (await liaisons(pool, [partnership]))[partnership]
    assert (sam.name, sam.stood_down_reason) == ("Sam Reyes", "moved on")
    grant, hours = (await contributions(pool, [partnership]))[partnership]
    assert (grant.value, grant.currency, hours.hours) == (Decimal("12500.00"), "USD", Decimal(40))
    (check_in,) = (await check_ins(pool, [partnership]))[partnership]
    assert check_in.follow_ups[0].owner == "Ana"
    (role,) = (await partner_roles(pool, [partnership]))[partnership]
    assert role.commitments == ["Three engineers weekly"]
