"""Bearer tokens: Bridgework's own issuer signs them, the verifier refuses every forgery."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest
from bridgework.infra.auth.claims import ClaimMapping
from bridgework.infra.auth.issuer import KEY_FILE, LocalIssuer, read_keys
from bridgework.infra.auth.jwks import KeyCache
from bridgework.infra.auth.settings import AuthSettings
from bridgework.infra.auth.tokens import (
    REMEMBER_SECONDS,
    TokenVerifier,
    bearer_token,
    verifier_for,
)
from bridgework.infra.settings import Settings
from bridgework.services.identity import Principal, Reason, Role, Unauthenticated
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey

SCHOOL = uuid4()
COORDINATOR = Principal(
    subject="ada", roles=frozenset({Role.COORDINATOR}), organisations=frozenset({SCHOOL})
)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def issuer(settings) -> LocalIssuer:
    return LocalIssuer(settings)


@pytest.fixture
def verifier(settings) -> TokenVerifier:
    return verifier_for(settings)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides) -> dict:
    now = int(time.time())
    return {
        "iss": "bridgework",
        "aud": "bridgework",
        "sub": "ada",
        "iat": now,
        "exp": now + 60,
    } | overrides


def signed(issuer: LocalIssuer, **overrides) -> str:
    key = issuer.signing_key()
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims(**overrides), key, ["ES256"])


async def refused(verifier: TokenVerifier, token: str) -> Reason:
    with pytest.raises(Unauthenticated) as caught:
        await verifier.verify(token)
    return caught.value.reason


async def test_a_token_bridgework_issued_names_its_principal(issuer, verifier):
    token = issuer.issue(COORDINATOR, timedelta(hours=1))
    principal = await verifier.verify(token)
    assert (principal.subject, principal.roles, principal.organisations) == (
        "ada",
        {Role.COORDINATOR},
        {SCHOOL},
    )
    assert principal.expires_at is not None
    assert 3590 < principal.expires_at.timestamp() - time.time() <= 3600


async def test_a_student_and_a_mentor_token_carry_who_they_are(issuer, verifier):
    student, mentor = uuid4(), uuid4()
    me = Principal(subject="sam", roles=frozenset({Role.STUDENT}), student_id=student)
    assert (await verifier.verify(issuer.issue(me, timedelta(minutes=5)))).student_id == student
    them = Principal(subject="max", roles=frozenset({Role.MENTOR}), mentor_id=mentor)
    assert (await verifier.verify(issuer.issue(them, timedelta(minutes=5)))).mentor_id == mentor


def test_the_signing_key_is_made_once_private_to_its_owner_and_named_by_its_thumbprint(
    issuer, settings
):
    first = issuer.signing_key()
    path = settings.data_dir / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert LocalIssuer(settings).signing_key().kid == first.kid
    public = ECKey.import_key({k: v for k, v in first.as_dict().items() if k != "kid"})
    assert first.kid == public.thumbprint()
    assert all("d" not in k for k in issuer.jwks()["keys"])  # no private half published


async def test_a_forged_signature_is_refused(issuer, verifier):
    genuine = issuer.issue(COORDINATOR, timedelta(minutes=5))
    header, _, signature = genuine.split(".")
    promoted = b64(json.dumps(claims(roles=["administrator"])).encode())
    assert await refused(verifier, f"{header}.{promoted}.{signature}") is Reason.SIGNATURE
    # A key of the forger's own under the genuine kid.
    impostor = ECKey.generate_key("P-256")
    forged = jwt.encode({"alg": "ES256", "kid": issuer.signing_key().kid}, claims(), impostor)
    assert await refused(verifier, forged) is Reason.SIGNATURE


async def test_an_expired_token_is_refused_after_the_leeway(issuer, verifier):
    now = int(time.time())
    assert await verifier.verify(signed(issuer, exp=now - 10))  # within 30 s of skew
    assert await refused(verifier, signed(issuer, exp=now - 40)) is Reason.EXPIRED


async def test_a_token_not_yet_valid_is_refused_beyond_the_leeway(issuer, verifier):
    now = int(time.time())
    assert await verifier.verify(signed(issuer, nbf=now + 10))
    assert (
        await refused(verifier, signed(issuer, nbf=now + 60, exp=now + 600)) is Reason.NOT_YET_VALID
    )


async def test_a_token_for_another_audience_or_from_another_issuer_is_refused(issuer, verifier):
    assert await refused(verifier, signed(issuer, aud="someone-else")) is Reason.AUDIENCE
    assert await refused(verifier, signed(issuer, iss="https://evil.example")) is Reason.ISSUER


async def test_a_token_without_subject_or_expiry_is_refused(issuer, verifier):
    no_exp = claims()
    del no_exp["exp"]
    key = issuer.signing_key()
    token = jwt.encode({"alg": "ES256", "kid": key.kid}, no_exp, key)
    assert await refused(verifier, token) is Reason.CLAIMS
    assert await refused(verifier, signed(issuer, sub="")) is Reason.CLAIMS


async def test_an_unsigned_token_alg_none_is_refused(verifier):
    header = b64(json.dumps({"alg": "none"}).encode())
    unsigned = f"{header}.{b64(json.dumps(claims()).encode())}."
    assert await refused(verifier, unsigned) is Reason.ALGORITHM


async def test_hs256_signed_with_the_published_public_key_is_refused(issuer, verifier):
    public = issuer.published().keys[0]
    secret = public.as_pem()  # what a naive verifier would use as the HMAC secret
    header = b64(json.dumps({"alg": "HS256", "kid": public.kid}).encode())
    signing_input = f"{header}.{b64(json.dumps(claims()).encode())}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    assert await refused(verifier, f"{signing_input}.{b64(mac)}") is Reason.ALGORITHM


async def test_an_algorithm_outside_the_pinned_list_is_refused(tmp_path):
    rsa = RSAKey.generate_key(2048, auto_kid=True)
    verifier = TokenVerifier(
        KeyCache(StaticKeys(KeySet([rsa]))),
        issuer="bridgework",
        audience="bridgework",
        algorithms=("ES256",),
    )
    token = jwt.encode({"alg": "RS256", "kid": rsa.kid}, claims(), rsa)
    assert await refused(verifier, token) is Reason.ALGORITHM
    verifier.algorithms = ("ES256", "RS256")
    assert (await verifier.verify(token)).subject == "ada"


async def test_an_eddsa_token_verifies_with_the_default_algorithms_and_no_warning():
    ed = OKPKey.generate_key("Ed25519", auto_kid=True)
    verifier = TokenVerifier(
        KeyCache(StaticKeys(KeySet([ed]))),
        issuer="bridgework",
        audience="bridgework",
        algorithms=AuthSettings().algorithms,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc warns when *signing* with the old name
        token = jwt.encode({"alg": "EdDSA", "kid": ed.kid}, claims(), ed, ["EdDSA"])
    assert (await verifier.verify(token)).subject == "ada"  # warnings are errors here


async def test_garbage_is_malformed(verifier):
    for token in ("", "abc", "a.b.c", "...", "Ünïcode.x.y"):
        assert await refused(verifier, token) in {Reason.MALFORMED, Reason.ALGORITHM}


async def test_after_rotation_an_unknown_kid_refreshes_the_keys_and_old_tokens_still_verify(
    issuer, verifier
):
    clock = Clock()
    verifier.keys.clock = clock
    old = issuer.issue(COORDINATOR, timedelta(minutes=5))
    assert await verifier.verify(old)
    loads = verifier.keys.loads
    new_kid = LocalIssuer(issuer_settings(issuer)).rotate()  # as `bridgework token --rotate-key`
    clock.now += 2
    new = issuer.issue(COORDINATOR, timedelta(minutes=5))
    assert json.loads(base64.urlsafe_b64decode(new.split(".")[0] + "==")).get("kid") == new_kid
    assert (await verifier.verify(new)).subject == "ada"
    assert verifier.keys.loads == loads + 1
    assert (await verifier.verify(old)).subject == "ada"  # the retired key is still published
    assert len(issuer.jwks()["keys"]) == 2


def issuer_settings(issuer: LocalIssuer) -> Settings:
    return Settings(data_dir=issuer.path.parent)


def test_a_retired_key_leaves_the_jwks_once_its_tokens_can_have_expired(settings):
    clock = Clock()
    issuer = LocalIssuer(replace(settings, auth=AuthSettings(max_token_seconds=3600)), clock=clock)
    first = issuer.signing_key().kid
    issuer.rotate()
    assert first in {k["kid"] for k in issuer.jwks()["keys"]}
    clock.now += 3601
    assert first not in {k["kid"] for k in issuer.jwks()["keys"]}
    issuer.rotate()  # and the next rotation drops it from the file
    assert first not in {k.jwk["kid"] for k in read_keys(issuer.path)}


def test_a_token_longer_than_the_maximum_is_not_issued(issuer):
    with pytest.raises(ValueError, match="seconds"):
        issuer.issue(COORDINATOR, timedelta(days=8))


class StaticKeys:
    """A key source of keys held in memory, counting its loads."""

    def __init__(self, keys: KeySet) -> None:
        self.keys = keys

    async def load(self) -> KeySet:
        return self.keys


async def test_a_flood_of_unknown_kids_loads_the_keys_at_most_once_per_interval():
    key = ECKey.generate_key("P-256", auto_kid=True)
    clock = Clock()
    cache = KeyCache(StaticKeys(KeySet([key])), min_refresh_seconds=30, clock=clock)
    verifier = TokenVerifier(
        cache, issuer="bridgework", audience="bridgework", algorithms=("ES256",)
    )
    for n in range(50):
        made_up = jwt.encode({"alg": "ES256", "kid": f"made-up-{n}"}, claims(), key)
        assert await refused(verifier, made_up) is Reason.UNKNOWN_KEY
    assert cache.loads == 1
    clock.now += 31
    await refused(verifier, jwt.encode({"alg": "ES256", "kid": "another"}, claims(), key))
    assert cache.loads == 2
    good = jwt.encode({"alg": "ES256", "kid": key.kid}, claims(), key)
    assert (await verifier.verify(good)).subject == "ada"
    assert cache.loads == 2  # a known kid needs no load


async def test_the_claim_mapping_reads_nested_claims_and_drops_roles_a_token_cannot_carry():
    key = ECKey.generate_key("P-256", auto_kid=True)
    mapping = ClaimMapping(roles="realm_access.roles", organisations="https://bw/orgs")
    verifier = TokenVerifier(
        KeyCache(StaticKeys(KeySet([key]))),
        issuer="bridgework",
        audience="bridgework",
        algorithms=("ES256",),
        mapping=mapping,
    )
    body = claims(
        realm_access={"roles": ["coordinator", "integration", "supervisor", "offline_access"]},
        **{"https://bw/orgs": [str(SCHOOL)]},
    )
    principal = await verifier.verify(jwt.encode({"alg": "ES256", "kid": key.kid}, body, key))
    assert principal.roles == {Role.COORDINATOR}
    assert principal.organisations == {SCHOOL}
    bad = claims(realm_access={"roles": ["coordinator"]}, **{"https://bw/orgs": ["not-an-id"]})
    token = jwt.encode({"alg": "ES256", "kid": key.kid}, bad, key)
    assert await refused(verifier, token) is Reason.CLAIMS


def test_a_personal_data_grant_is_a_boolean_claim_and_round_trips():
    mapping = ClaimMapping(personal_data="bw.pii")
    granted = Principal(subject="ana", roles=frozenset({Role.AUDITOR}), personal_data=True)
    assert mapping.claims(granted)["bw"] == {"pii": True}
    assert mapping.principal(mapping.claims(granted)).personal_data
    plain = Principal(subject="bo", roles=frozenset({Role.AUDITOR}))
    assert "bw" not in mapping.claims(plain)
    assert not mapping.principal(mapping.claims(plain)).personal_data
    with pytest.raises(Unauthenticated) as refused_:
        mapping.principal({"sub": "cy", "bw": {"pii": "yes"}})
    assert refused_.value.reason is Reason.CLAIMS


def test_the_bearer_value_is_read_from_an_authorization_header():
    assert bearer_token("Bearer abc.def.ghi") == "abc.def.ghi"
    assert bearer_token("bearer  abc ") == "abc"
    with pytest.raises(Unauthenticated) as missing:
        bearer_token(None)
    assert missing.value.reason is Reason.MISSING
    for value in ("Basic dXNlcjpwYXNz", "Bearer", "abc"):
        with pytest.raises(Unauthenticated) as bad:
            bearer_token(value)
        assert bad.value.reason is Reason.MALFORMED


async def test_a_verified_token_is_remembered_but_never_past_its_expiry(issuer, settings):
    clock = Clock()
    verifier = verifier_for(settings)
    verifier.clock = clock
    token = signed(issuer, exp=int(clock.now) + 600)
    assert await verifier.verify(token)
    assert await verifier.verify(token)
    assert verifier.remembered == 1
    clock.now += REMEMBER_SECONDS + 1  # remembered no longer: checked again, and still valid
    assert await verifier.verify(token)
    assert verifier.remembered == 1
    clock.now += 600  # past exp and the leeway
    assert await refused(verifier, token) is Reason.EXPIRED
    assert verifier.remembered == 1


def test_rotations_at_the_same_time_lose_no_key(settings):
    with ThreadPoolExecutor(4) as pool:
        made = set(pool.map(lambda _: LocalIssuer(settings).rotate(), range(8)))
    keys = read_keys(settings.data_dir / KEY_FILE)
    assert made <= {k.jwk["kid"] for k in keys}
    assert len(keys) == 9  # the first key and eight rotations
    assert [k.retired_at is None for k in keys].count(True) == 1
