"""The principal's predicates: what a policy can ask of a verified identity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from bridgework.services.identity import Principal, Reason, Role, Unauthenticated

SCHOOL, BUSINESS = uuid4(), uuid4()


def person(*roles: Role, **facts) -> Principal:
    return Principal(subject="someone", roles=frozenset(roles), **facts)


def test_only_an_administrator_is_admin():
    assert person(Role.ADMINISTRATOR).is_admin
    assert not person(Role.COORDINATOR, Role.AUDITOR).is_admin


def test_a_coordinator_is_a_member_of_their_own_organisations_only():
    coordinator = person(Role.COORDINATOR, organisations=frozenset({SCHOOL}))
    assert coordinator.member_of(SCHOOL)
    assert not coordinator.member_of(BUSINESS)
    assert coordinator.member_of_any({BUSINESS, SCHOOL})
    assert not coordinator.member_of_any({BUSINESS})
    assert not person(Role.COORDINATOR).member_of(SCHOOL)


def test_a_student_acts_only_for_themselves_and_only_as_a_student():
    me, classmate = uuid4(), uuid4()
    student = person(Role.STUDENT, student_id=me)
    assert student.acts_for_student(me)
    assert not student.acts_for_student(classmate)
    # The id alone is not enough: the role must say they are a student.
    assert not person(Role.MENTOR, student_id=me).acts_for_student(me)


def test_a_mentor_acts_only_for_themselves():
    me = uuid4()
    assert person(Role.MENTOR, mentor_id=me).acts_for_mentor(me)
    assert not person(Role.MENTOR, mentor_id=me).acts_for_mentor(uuid4())
    assert not person(Role.STUDENT, mentor_id=me).acts_for_mentor(me)


def test_roles_are_asked_one_or_any():
    liaison = person(Role.PARTNER_LIAISON, Role.MENTOR)
    assert liaison.has_role(Role.MENTOR)
    assert not liaison.has_role(Role.COORDINATOR)
    assert liaison.has_any_role(Role.COORDINATOR, Role.PARTNER_LIAISON)
    assert not liaison.has_any_role(Role.COORDINATOR, Role.AUDITOR)


def test_an_auditor_and_a_read_only_key_may_not_write():
    assert not person(Role.AUDITOR).may_write
    assert not person(Role.INTEGRATION, read_only=True).may_write
    assert person(Role.INTEGRATION).may_write
    assert person(Role.AUDITOR, Role.COORDINATOR).may_write
    assert not person().may_write  # no role at all: nothing


def test_an_event_type_scope_limits_what_a_key_sees():
    scoped = person(Role.INTEGRATION, event_types=frozenset({"StudentEnrolled"}))
    assert scoped.sees_event_type("StudentEnrolled")
    assert not scoped.sees_event_type("DemographicsReported")
    assert person(Role.INTEGRATION).sees_event_type("DemographicsReported")


def test_a_principal_expires_at_its_tokens_expiry():
    now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    token = person(Role.STUDENT, expires_at=now + timedelta(minutes=5))
    assert not token.expired(now)
    assert token.expired(now + timedelta(minutes=5))
    assert not person(Role.INTEGRATION).expired(now)  # an API key has no expiry


def test_unauthenticated_says_why():
    e = Unauthenticated(Reason.EXPIRED, "at 03:00")
    assert e.reason is Reason.EXPIRED
    assert str(e) == "expired: at 03:00"
    assert str(Unauthenticated(Reason.MISSING)) == "no credentials"
