"""Authentication settings: Bridgework's own issuer by default, an external one configured."""

from __future__ import annotations

import pytest
from bridgework.infra.auth.claims import ClaimMapping
from bridgework.infra.auth.settings import AuthSettings
from bridgework.infra.env import SettingsError
from bridgework.infra.settings import Settings


def test_by_default_bridgework_is_its_own_issuer_with_pinned_asymmetric_algorithms():
    auth = Settings.from_env({}).auth
    assert auth == AuthSettings()
    assert auth.issuer is None
    assert auth.algorithms == ("ES256", "RS256", "EdDSA")
    assert (auth.audience, auth.local_issuer, auth.leeway_seconds) == (
        "bridgework",
        "bridgework",
        30,
    )


def test_an_external_issuer_and_its_claim_names_come_from_the_environment():
    auth = Settings.from_env(
        {
            "BRIDGEWORK_AUTH_ISSUER": "https://id.example/realms/district",
            "BRIDGEWORK_AUTH_JWKS_URL": "https://id.example/certs",
            "BRIDGEWORK_AUTH_AUDIENCE": "bridgework-api",
            "BRIDGEWORK_AUTH_ALGORITHMS": "RS256, PS256",
            "BRIDGEWORK_AUTH_LEEWAY": "10",
            "BRIDGEWORK_AUTH_ROLES_CLAIM": "realm_access.roles",
            "BRIDGEWORK_AUTH_ORGANISATIONS_CLAIM": "orgs",
            "BRIDGEWORK_AUTH_STUDENT_CLAIM": "sid",
            "BRIDGEWORK_AUTH_MENTOR_CLAIM": "mid",
            "BRIDGEWORK_AUTH_MAX_TOKEN_SECONDS": "3600",
        }
    ).auth
    assert auth.issuer == "https://id.example/realms/district"
    assert auth.jwks_url == "https://id.example/certs"
    assert auth.audience == "bridgework-api"
    assert auth.algorithms == ("RS256", "PS256")
    assert auth.leeway_seconds == 10
    assert auth.max_token_seconds == 3600
    assert ClaimMapping.from_settings(auth) == ClaimMapping(
        "realm_access.roles", "orgs", "sid", "mid"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BRIDGEWORK_AUTH_ALGORITHMS", ", ,"),
        ("BRIDGEWORK_AUTH_LEEWAY", "-1"),
        ("BRIDGEWORK_AUTH_LEEWAY", "3600"),
        ("BRIDGEWORK_AUTH_MAX_TOKEN_SECONDS", "0"),
    ],
)
def test_an_unusable_auth_setting_is_refused_naming_the_variable(name, value):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({name: value})
    assert name in str(refused.value)
