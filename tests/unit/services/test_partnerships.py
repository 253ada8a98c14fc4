"""Partnerships through their handlers, on the memory store: refusals change nothing, and a
launch overtaken by a suspension is refused. The lifecycle in the views: `tests/integration/`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import msgspec
import pytest
from bridgework.domain.errors import RuleViolated
from bridgework.services.directory import LaunchProgram, launch_program
from bridgework.services.errors import InvalidInput, NotFound
from bridgework.services.partnerships.charter import RecordMetricValue
from bridgework.services.partnerships.collaboration import (
    AppointLiaison,
    RecordCheckIn,
    RecordContribution,
    appoint_liaison,
    record_check_in,
)
from bridgework.services.partnerships.lifecycle import SuspendPartnership, suspend_partnership
from support.context import staff
from support.partnerships import cmd
from support.scenario import TODAY, a_program


async def test_bad_partnership_input_is_refused_naming_the_field_and_changes_nothing(deps, store):
    _, orgs, partnership = await a_program(deps, capacity=3)
    p = str(partnership)
    before = await store.head()
    grant = {
        "partnership_id": p,
        "organization_id": str(orgs[0]),
        "kind": "funding",
        "description": "Grant",
        "contributed_on": str(TODAY),
    }
    liaison = {"partnership_id": p, "organization_id": str(orgs[0]), "name": "X"}
    for kind, data, field in (
        (RecordContribution, grant, "value"),
        (RecordContribution, grant | {"value": "10", "currency": "usd"}, "currency"),
        (AppointLiaison, liaison | {"email": "not-an-email"}, "email"),
        (SuspendPartnership, {"partnership_id": p, "reason": "   "}, "reason"),
    ):
        with pytest.raises(InvalidInput) as bad:
            cmd(kind, **data)
        assert bad.value.field == field
    with pytest.raises(NotFound) as missing:
        await suspend_partnership(
            deps, staff(), cmd(SuspendPartnership, partnership_id=str(orgs[0]), reason="x")
        )
    assert missing.value.field == "partnershipId"
    with pytest.raises(RuleViolated) as refused:
        await appoint_liaison(
            deps,
            staff(),
            cmd(AppointLiaison, **liaison | {"organization_id": str(partnership)}),
        )
    assert refused.value.rule == "ORGANISATION_NOT_A_PARTNER"
    with pytest.raises(RuleViolated) as refused:
        await record_check_in(
            deps,
            staff(),
            cmd(
                RecordCheckIn,
                partnership_id=p,
                held_on=str(TODAY + timedelta(days=3)),
                attendees=["Ana"],
            ),
        )
    assert refused.value.rule == "CHECK_IN_IN_FUTURE"
    assert await store.head() == before


@pytest.mark.parametrize("value", ["-1", "NaN", "Infinity", "1e13"])
def test_amounts_must_be_finite_and_in_range(value):
    with pytest.raises(InvalidInput) as bad:
        cmd(
            RecordMetricValue,
            partnership_id=str(uuid4()),
            metric_id=str(uuid4()),
            value=value,
            recorded_for=str(TODAY),
        )
    assert bad.value.field == "value"


class SuspendFirst:
    """An event store whose first append is overtaken by a suspension of the partnership."""

    def __init__(self, deps, partnership) -> None:
        self.deps, self.partnership, self.raced = deps, partnership, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.deps.store, name)

    async def append(self, appends, **kwargs):
        if not self.raced:
            self.raced = True
            await suspend_partnership(
                self.deps,
                staff(),
                cmd(
                    SuspendPartnership,
                    partnership_id=str(self.partnership),
                    reason="Funding under review",
                ),
            )
        return await self.deps.store.append(appends, **kwargs)


async def test_a_launch_overtaken_by_a_suspension_is_refused(deps, store):
    _, _, partnership = await a_program(deps, capacity=2)
    racing = msgspec.structs.replace(deps, store=SuspendFirst(deps, partnership))
    launch = LaunchProgram(
        partnership_id=partnership,
        name="Summer Camp",
        kind="bootcamp",
        capacity=5,
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=10),
    )
    with pytest.raises(RuleViolated) as refused:
        await launch_program(racing, staff(), launch)
    assert refused.value.rule == "PARTNERSHIP_STATUS"
    types = [e.event_type for e in await store.load(f"partnership-{partnership}")]
    assert types[-2:] == ["ProgramAdded", "PartnershipSuspended"]  # the first program's only
