"""`/ready`: lag, readers held back by an open transaction, a database that does not answer;
and the cap on websocket connections."""

from __future__ import annotations

import time

import asyncpg
import pytest
from bridgework.infra.app import create_app
from bridgework.infra.settings import Settings
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient
from support.api import Api, org
from support.auth import TEST_KEYS
from support.context import SECRET_KEY

DEADLINE = 30.0


def settings(database_url, **overrides):
    return Settings(
        database_url=database_url,
        poll_interval_seconds=0.2,
        secret_key=SECRET_KEY,
        data_dir=TEST_KEYS,
        **overrides,
    )


def eventually(check, deadline=DEADLINE):
    """`check()`'s first truthy result; fail after `deadline` seconds."""
    end = time.monotonic() + deadline
    while not (found := check()):
        if time.monotonic() > end:
            raise AssertionError(f"not true within {deadline} s")
        time.sleep(0.05)
    return found


def test_ready_names_the_transaction_holding_readers_back_and_recovers_when_it_ends(
    database_url, admin_database_url, tokens
):
    app = create_app(
        settings(database_url, ready_max_held_back_seconds=1.0, ready_max_lag_seconds=1000.0)
    )
    with TestClient(app) as client:
        api = Api(client, tokens)
        org(api, "Before")
        # Another role's transaction (a superuser's psql): the app role reads every session's
        # activity (pg_read_all_stats), not only its own.
        holder = client.blocking_portal.call(asyncpg.connect, admin_database_url)
        try:
            pid = client.blocking_portal.call(holder.fetchval, "SELECT pg_backend_pid()")
            client.blocking_portal.call(holder.execute, "BEGIN; SELECT pg_current_xact_id()")
            written = org(api, "While held")

            def held_back():
                response = client.get("/ready")
                return response if response.status_code == 503 else None

            response = eventually(held_back)
            body = response.json()
            assert body["status"] == "not ready"
            assert body["held_back_by"]["pid"] == pid
            assert body["held_back_by"]["state"] == "idle in transaction"
            assert body["held_back_by"]["age_seconds"] > 1.0
            assert f"pid {pid}" in body["problems"][0]
            assert "pg_current_xact_id" not in response.text  # never its query text
            assert body["head"] == written["position"]
            behind = {p["name"]: p for p in body["projections"]}
            assert all(p["lag_events"] >= 1 for p in behind.values())
            assert all(p["lag_seconds"] > 0 for p in behind.values())
        finally:
            client.blocking_portal.call(holder.close)  # its transaction ends with it

        def ready():
            response = client.get("/ready")
            return response if response.status_code == 200 else None

        body = eventually(ready).json()
        assert body["status"] == "ready"
        assert body["held_back_by"] is None
        assert body["problems"] == []
        assert body["listening"] is True

        def caught_up():
            projections = client.get("/ready").json()["projections"]
            return all(p["lag_events"] == 0 and p["lag_seconds"] == 0 for p in projections)

        eventually(caught_up)


def test_ready_turns_503_when_a_projection_lags_past_the_threshold(database_url, tokens):
    app = create_app(settings(database_url, ready_max_lag_seconds=0.5), run_projections=False)
    with TestClient(app) as client:
        written = org(Api(client, tokens))
        time.sleep(0.6)
        response = client.get("/ready")
        assert response.status_code == 503
        body = response.json()
        assert body["head"] == written["position"]
        assert {p["lag_events"] for p in body["projections"]} == {1}
        assert all(p["lag_seconds"] > 0.5 for p in body["projections"])
        assert any("behind (more than 0.5 s)" in p for p in body["problems"])


@pytest.mark.slow
def test_ready_answers_503_without_driver_text_when_the_database_is_down(private_postgres):
    url = private_postgres.create_database()
    with TestClient(create_app(settings(url))) as client:
        assert client.get("/ready").status_code == 200
        private_postgres.stop()
        response = client.get("/ready")
        assert response.status_code == 503
        assert response.json() == {
            "status": "unavailable",
            "problems": ["the database does not answer"],
        }
        private_postgres.start()
        eventually(lambda: client.get("/ready").status_code == 200)


def test_websockets_beyond_the_cap_are_refused_with_try_again_later(database_url, tokens):
    with TestClient(create_app(settings(database_url, max_websockets=1))) as client:
        protocols = ["graphql-transport-ws"]
        with client.websocket_connect("/graphql", subprotocols=protocols) as first:
            first.send_json(tokens.init())
            assert first.receive_json(timeout=10)["type"] == "connection_ack"
            with (
                client.websocket_connect("/graphql", subprotocols=protocols) as second,
                pytest.raises(WebSocketDisconnect) as refused,
            ):
                second.receive_json(timeout=10)
            assert refused.value.code == 1013
            assert "too many websocket connections (at most 1)" in refused.value.detail
            assert client.app.state.websockets.refused == 1
        with client.websocket_connect("/graphql", subprotocols=protocols) as again:
            again.send_json(tokens.init())
            assert again.receive_json(timeout=10)["type"] == "connection_ack"
