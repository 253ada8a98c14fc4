"""The local issuer's JWKS and discovery document, served by the real app."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import timedelta

import httpx
from bridgework.infra.app import create_app
from bridgework.infra.auth.issuer import LocalIssuer
from bridgework.infra.auth.jwks import KeyCache, RemoteJwks
from bridgework.infra.auth.settings import AuthSettings
from bridgework.infra.auth.tokens import TokenVerifier
from bridgework.infra.settings import Settings
from bridgework.services.identity import Principal, Role
from litestar.testing import TestClient
from support.context import SECRET_KEY
from support.postgres import own_folder
from support.serve import Serve, cli, environment

ADMIN = Principal(subject="root", roles=frozenset({Role.ADMINISTRATOR}))


async def test_a_token_from_the_command_line_verifies_against_the_running_servers_jwks(
    database_url,
):
    """Another service, knowing only the server's address, can verify Bridgework's tokens:
    discovery names the JWKS, the JWKS holds the key that `bridgework token` signed with."""
    with own_folder() as data_dir:
        server = Serve(data_dir, env=environment(DATABASE_URL=database_url))
        try:
            token = cli("token", "--data-dir", str(data_dir), "--role", "auditor").stdout.strip()
            async with httpx.AsyncClient(timeout=30) as client:
                found = (await client.get(f"{server.url}/.well-known/openid-configuration")).json()
                assert found["issuer"] == "bridgework"
                assert found["jwks_uri"] == f"{server.url}/.well-known/jwks.json"
                published = await client.get(found["jwks_uri"])
                assert published.headers["cache-control"] == "public, max-age=300"
                assert all("d" not in key for key in published.json()["keys"])
                verifier = TokenVerifier(
                    KeyCache(RemoteJwks("bridgework", found["jwks_uri"], client)),
                    issuer="bridgework",
                    audience="bridgework",
                    algorithms=("ES256",),
                )
                assert (await verifier.verify(token)).roles == {Role.AUDITOR}
        finally:
            server.stop()


def test_a_rotated_key_is_published_beside_the_old_one_without_a_restart(database_url):
    with own_folder() as data_dir:
        settings = Settings(database_url=database_url, secret_key=SECRET_KEY, data_dir=data_dir)
        with TestClient(create_app(settings, run_projections=False)) as client:
            first = [k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]]
            new = LocalIssuer(settings).rotate()
            again = [k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]]
        assert len(first) == 1
        assert again == [*first, new]


def test_with_an_external_issuer_bridgework_publishes_no_keys(database_url):
    with own_folder() as data_dir:
        settings = Settings(
            database_url=database_url,
            secret_key=SECRET_KEY,
            data_dir=data_dir,
            auth=replace(AuthSettings(), issuer="https://id.example"),
        )
        with TestClient(create_app(settings, run_projections=False)) as client:
            assert client.get("/.well-known/jwks.json").status_code == 404
            assert client.get("/.well-known/openid-configuration").status_code == 404
        # and made no signing key: the only key file is the personal data's KEK
        assert [p.name for p in data_dir.iterdir()] == ["kek.json"]


def test_an_issued_token_is_signed_by_a_key_the_app_publishes(database_url):
    with own_folder() as data_dir:
        settings = Settings(database_url=database_url, secret_key=SECRET_KEY, data_dir=data_dir)
        token = LocalIssuer(settings).issue(ADMIN, timedelta(minutes=1))
        with TestClient(create_app(settings, run_projections=False)) as client:
            kids = {k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]}
        header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
        assert header == {"typ": "JWT", "alg": "ES256", "kid": header["kid"]}
        assert header["kid"] in kids
