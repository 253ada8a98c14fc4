"""A partnership's charter (Partnership aggregate): each partner's role, and the success
metrics the partnership is judged by."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from bridgework.domain.charter import MetricMeasure
from support.given import AT, SCHOOL, formed, given, names, refused, when

METRIC = uuid4()


def role(organisation_id=SCHOOL):
    return lambda p: p.set_partner_role(
        organisation_id=organisation_id,
        role="Host school",
        commitments=("Lab space on Tuesdays",),
        at=AT,
    )


def define(measure=MetricMeasure.MANUAL, target="40", metric_id=METRIC):
    return lambda p: p.define_metric(
        metric_id=metric_id,
        name="Girls enrolled",
        measure=measure,
        target=Decimal(target),
        unit="students",
        baseline=None,
        due_on=date(2026, 12, 31),
        program_kind=None,
        at=AT,
    )


def retire(metric_id=METRIC):
    return lambda p: p.retire_metric(metric_id=metric_id, reason="replaced", at=AT)


def value(metric_id=METRIC):
    return lambda p: p.record_metric_value(
        metric_id=metric_id,
        value=Decimal(12),
        recorded_for=date(2026, 3, 1),
        note="from the spring survey",
        at=AT,
    )


def test_a_partner_is_given_a_role_and_commitments():
    events = when(formed(proposed=True), role())
    assert names(events) == ["PartnerRoleSet"]
    assert (events[0].role, events[0].commitments) == ("Host school", ("Lab space on Tuesdays",))


def test_only_a_partner_is_given_a_role():
    broken = refused(formed(), role(uuid4()))
    assert broken.rule == "ORGANISATION_NOT_A_PARTNER"
    assert broken.message == "A partner role must come from a partner of 'Solar Futures'"


def test_a_metric_is_defined_and_a_percentage_is_at_most_a_hundred():
    history = formed()
    events = when(history, define(MetricMeasure.COMPLETION_RATE, "100"))
    assert names(events) == ["SuccessMetricDefined"]
    assert (events[0].question, given(history + events).metrics) == (
        None,
        {METRIC: MetricMeasure.COMPLETION_RATE},
    )
    broken = refused(history, define(MetricMeasure.ATTENDANCE_RATE, "101"))
    assert broken.rule == "TARGET_OUT_OF_RANGE"
    assert (
        broken.message == "Metric 'Girls enrolled': ATTENDANCE_RATE is a percentage, at most 100%"
    )
    assert names(when(history, define(MetricMeasure.ENROLMENTS, "101"))) == ["SuccessMetricDefined"]


def test_a_manual_metric_takes_values_by_hand_until_it_is_retired():
    history = formed()
    history += when(history, define())
    events = when(history, value())
    assert names(events) == ["MetricValueRecorded"]
    assert (events[0].value, events[0].note) == (Decimal(12), "from the spring survey")
    events = when(history, retire())
    assert names(events) == ["SuccessMetricRetired"]
    history += events
    broken = refused(history, value())
    assert broken.rule == "METRIC_RETIRED"
    assert broken.message == "That metric of 'Solar Futures' is retired"
    assert refused(history, retire()).rule == "METRIC_RETIRED"


def test_a_measured_metric_takes_no_values_by_hand():
    history = formed()
    history += when(history, define(MetricMeasure.HOURS_VERIFIED, "500"))
    broken = refused(history, value())
    assert broken.rule == "METRIC_IS_MEASURED"
    assert broken.message == (
        "That metric of 'Solar Futures' is measured from the log, not recorded by hand"
    )


def test_only_a_known_metric_takes_values_or_is_retired():
    unknown = uuid4()
    broken = refused(formed(), value(unknown))
    assert broken.rule == "UNKNOWN_METRIC"
    assert broken.message == f"'Solar Futures' has no success metric {unknown}"
    assert refused(formed(), retire(unknown)).rule == "UNKNOWN_METRIC"
