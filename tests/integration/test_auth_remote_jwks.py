"""An external OIDC issuer: its discovery document and JWKS served over real HTTP by a
local server, the verifier fetching, caching and refreshing them."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from bridgework.infra.auth.issuer import LocalIssuer
from bridgework.infra.auth.settings import AuthSettings
from bridgework.infra.auth.tokens import verifier_for
from bridgework.infra.settings import Settings
from bridgework.services.identity import Principal, Reason, Role, Unauthenticated
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

if TYPE_CHECKING:
    from collections.abc import Iterator

    from bridgework.infra.auth.tokens import TokenVerifier


class Issuer:
    """An identity provider's two public documents, on a real socket."""

    def __init__(self) -> None:
        self.keys: list[Any] = [ECKey.generate_key("P-256", auto_kid=True)]
        self.requests: list[str] = []
        self.claimed_issuer: str | None = None
        self.garbage: Any = None
        """Served instead of the documents when set."""
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.requests.append(self.path)
                if issuer.garbage is not None:
                    body = issuer.garbage
                elif self.path == "/.well-known/openid-configuration":
                    body = {
                        "issuer": issuer.claimed_issuer or issuer.url,
                        "jwks_uri": f"{issuer.url}/keys",
                    }
                elif self.path == "/keys":
                    body = dict(KeySet(issuer.keys).as_dict())
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def token(self, key: Any | None = None, alg: str = "ES256", **claims: Any) -> str:
        key = key or self.keys[-1]
        now = int(time.time())
        body = {"iss": self.url, "aud": "bridgework", "sub": "u-1", "exp": now + 60}
        return jwt.encode({"alg": alg, "kid": key.kid}, body | claims, key, [alg])

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    running = Issuer()
    yield running
    running.stop()


@pytest.fixture
async def client() -> Any:
    async with httpx.AsyncClient(timeout=2) as client:
        yield client


def remote(issuer: Issuer, client: httpx.AsyncClient, **auth: Any) -> TokenVerifier:
    settings = Settings(auth=replace(AuthSettings(), issuer=issuer.url, **auth))
    return verifier_for(settings, client)


class Clock:
    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now


async def refused(verifier: TokenVerifier, token: str) -> Reason:
    with pytest.raises(Unauthenticated) as caught:
        await verifier.verify(token)
    return caught.value.reason


async def test_a_token_verifies_against_keys_found_by_discovery_and_fetched_once(issuer, client):
    verifier = remote(issuer, client)
    principal = await verifier.verify(issuer.token(roles=["coordinator"]))
    assert (principal.subject, principal.roles) == ("u-1", {Role.COORDINATOR})
    await verifier.verify(issuer.token())
    assert issuer.requests == ["/.well-known/openid-configuration", "/keys"]


async def test_a_configured_jwks_url_skips_discovery(issuer, client):
    verifier = remote(issuer, client, jwks_url=f"{issuer.url}/keys")
    assert await verifier.verify(issuer.token())
    assert issuer.requests == ["/keys"]


async def test_the_issuers_rotation_is_picked_up_on_the_new_kid_at_a_limited_rate(issuer, client):
    verifier = remote(issuer, client)
    clock = Clock()
    verifier.keys.clock = clock
    old = issuer.token()
    assert await verifier.verify(old)
    issuer.keys.append(RSAKey.generate_key(2048, auto_kid=True))  # the issuer rotates
    new = issuer.token(alg="RS256")
    # Within the refresh interval the new kid is not fetched for (a flood costs nothing).
    clock.now += 5
    for _ in range(20):
        assert await refused(verifier, new) is Reason.UNKNOWN_KEY
    assert issuer.requests.count("/keys") == 1
    clock.now += 30
    assert (await verifier.verify(new)).subject == "u-1"
    assert await verifier.verify(old)
    assert issuer.requests.count("/keys") == 2


async def test_keys_already_fetched_keep_working_while_the_issuer_is_down(issuer, client):
    verifier = remote(issuer, client)
    clock = Clock()
    verifier.keys.clock = clock
    known = issuer.token()
    assert await verifier.verify(known)
    unseen = ECKey.generate_key("P-256", auto_kid=True)
    issuer.stop()
    clock.now += 60
    assert await refused(verifier, issuer.token(unseen)) is Reason.UNKNOWN_KEY
    assert await verifier.verify(known)


async def test_without_any_keys_every_token_is_refused_as_keys_unavailable(issuer, client):
    token = issuer.token()
    issuer.stop()
    assert await refused(remote(issuer, client), token) is Reason.KEYS_UNAVAILABLE


async def test_a_discovery_document_naming_another_issuer_is_not_trusted(issuer, client):
    issuer.claimed_issuer = "https://someone-else.example"
    assert await refused(remote(issuer, client), issuer.token()) is Reason.KEYS_UNAVAILABLE


async def test_a_token_of_bridgeworks_own_issuer_is_refused_when_an_external_one_is_set(
    issuer, client, tmp_path
):
    own = LocalIssuer(Settings(data_dir=tmp_path)).issue(
        Principal(subject="x", roles=frozenset({Role.ADMINISTRATOR})),
        timedelta(minutes=1),
    )
    verifier = remote(issuer, client)
    assert await refused(verifier, own) is Reason.UNKNOWN_KEY


@pytest.mark.parametrize("garbage", [[1, 2], {"keys": "none"}, {"keys": []}, "text"])
async def test_documents_that_are_not_what_they_should_be_give_no_keys(issuer, client, garbage):
    verifier = remote(issuer, client, jwks_url=f"{issuer.url}/keys")
    issuer.garbage = garbage
    assert await refused(verifier, issuer.token()) is Reason.KEYS_UNAVAILABLE
    discovering = remote(issuer, client)
    assert await refused(discovering, issuer.token()) is Reason.KEYS_UNAVAILABLE
