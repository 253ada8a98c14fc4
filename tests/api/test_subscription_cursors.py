"""A subscription resumes only from the cursor of a real event."""

from __future__ import annotations

from bridgework.graphql.log import event_cursor
from bridgework.services.ports import Checkpoint
from support.api import org

SUBSCRIBE = "subscription($after: String) { events(after: $after) { position } }"


def test_a_made_up_cursor_past_the_end_of_the_log_is_refused_naming_after(api):
    written = org(api)
    made_up = event_cursor(Checkpoint(10**12, written["position"] + 1))
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json(api.init())
        assert ws.receive_json(timeout=10)["type"] == "connection_ack"
        ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE, "variables": {"after": made_up}},
            }
        )
        message = ws.receive_json(timeout=10)
        assert message["type"] == "next", message
        [error] = message["payload"]["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["message"] == f"after: {made_up!r} is the cursor of no event in the log"
        assert ws.receive_json(timeout=10)["type"] == "complete"
    assert api.client.app.state.api.live.stats.joined == 0  # the shared tail never saw it
