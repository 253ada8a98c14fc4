"""One Authorization value, whichever credential it carries, gives one principal."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from bridgework.infra.auth.apikeys import ApiKeys
from bridgework.infra.auth.authenticator import authenticator_for
from bridgework.infra.auth.issuer import LocalIssuer
from bridgework.infra.settings import Settings
from bridgework.services.identity import Authenticator, Principal, Reason, Role, Unauthenticated

SCHOOL = uuid4()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path)


async def reason(authenticator: Authenticator, authorization: str | None) -> Reason:
    with pytest.raises(Unauthenticated) as caught:
        await authenticator.authenticate(authorization)
    return caught.value.reason


async def test_a_bearer_token_and_a_bearer_api_key_each_name_their_principal(settings, pool):
    authenticator: Authenticator = authenticator_for(settings, pool)
    coordinator = Principal(
        subject="ada", roles=frozenset({Role.COORDINATOR}), organisations=frozenset({SCHOOL})
    )
    token = LocalIssuer(settings).issue(coordinator, timedelta(minutes=5))
    person = await authenticator.authenticate(f"Bearer {token}")
    assert (person.subject, person.roles, person.organisations) == (
        "ada",
        {Role.COORDINATOR},
        {SCHOOL},
    )

    record, key = await ApiKeys(pool).create(name="SIS", organisations=[SCHOOL], created_by="ada")
    integration = await authenticator.authenticate(f"Bearer {key}")
    assert integration.subject == f"apikey:{record.id}"
    assert integration.roles == {Role.INTEGRATION}


async def test_no_credentials_or_bad_ones_are_unauthenticated(settings, pool):
    authenticator = authenticator_for(settings, pool)
    assert await reason(authenticator, None) is Reason.MISSING
    assert await reason(authenticator, "") is Reason.MISSING
    assert await reason(authenticator, "Basic YTpi") is Reason.MALFORMED
    assert await reason(authenticator, "Bearer bw_short") is Reason.MALFORMED
    assert await reason(authenticator, "Bearer not.a.token") is Reason.MALFORMED
