"""Signed checkpoints over HTTP and GraphQL: `GET /checkpoint` (the latest, or one by size)
and `GET /checkpoint/keys` are public; `logCheckpoint` and `eventInclusionProof` are for
auditors and administrators, and the proof checks against the signed root."""

from __future__ import annotations

import base64
import time

import pytest
from bridgework.infra.checkpoints.note import open_note, parse_vkey
from bridgework.infra.checkpoints.publisher import Publisher
from bridgework.projections.merkle import verify_inclusion
from bridgework.services.identity import Role
from support.api import STUDENT_AT, org

CHECKPOINT = "{ logCheckpoint { note size root signedAt keyName } }"
PROOF = """query($id: ID!) { eventInclusionProof(eventId: $id) {
  eventId position leafIndex treeSize leafHash auditPath checkpoint { size root note } } }"""
EVENTS = "{ events(first: 1000) { edges { node { eventId } } } }"


def published(api):
    """Wait until the sealer has sealed every event (a generous deadline), then sign it."""
    runtime = api.client.app.state.runtime
    call = api.client.blocking_portal.call
    end = time.monotonic() + 60
    while call(runtime.pool.fetchval, "SELECT count(*) FROM events") != call(
        runtime.pool.fetchval, "SELECT size FROM seal_state"
    ):
        assert time.monotonic() < end, "the sealer did not catch up within 60 s"
        time.sleep(0.05)
    return call(Publisher(runtime.pool, runtime.signer, 10).publish)


@pytest.fixture
def log(api):
    school = org(api, "Lincoln")["id"]
    for name in ("Ana Quill", "Bo Lind"):
        api.data(STUDENT_AT, {"name": name, "school": school})
    return api


def test_before_any_checkpoint_the_route_says_so_and_graphql_gives_null(api):
    response = api.client.get("/checkpoint", headers={})
    assert (response.status_code, response.text) == (404, "no checkpoint has been published yet\n")
    assert api.data(CHECKPOINT)["logCheckpoint"] is None


def test_the_latest_checkpoint_is_a_public_signed_note_over_the_sealed_tree(log):
    head = published(log)
    assert head is not None
    response = log.client.get("/checkpoint", headers={})  # no token: a public document
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    keys = log.client.get("/checkpoint/keys", headers={})
    assert keys.status_code == 200
    verifier = parse_vkey(keys.text.splitlines()[0])
    assert open_note(response.text, verifier) == head
    root = log.client.app.state.runtime.pool
    sealed = log.client.blocking_portal.call(root.fetchrow, "SELECT size, root FROM seal_state")
    assert (head.size, head.root) == (sealed["size"], sealed["root"])
    assert published(log) is None  # the tree did not grow: nothing new is signed


def test_a_stored_checkpoint_is_served_by_its_size_and_an_unknown_or_bad_size_is_named(log):
    first = published(log)
    org(log, "Another")
    second = published(log)
    assert first is not None
    assert second is not None
    assert second.size > first.size
    verifier = parse_vkey(log.client.get("/checkpoint/keys").text)
    older = log.client.get("/checkpoint", params={"size": first.size})
    assert open_note(older.text, verifier) == first
    assert open_note(log.client.get("/checkpoint").text, verifier) == second
    missing = log.client.get("/checkpoint", params={"size": second.size + 1})
    assert missing.status_code == 404
    assert missing.text.startswith("size: ")
    for bad in ("0", "-3", "x", "9" * 30):
        refused = log.client.get("/checkpoint", params={"size": bad})
        assert refused.status_code == 400, bad
        assert "size" in refused.text


def test_an_auditor_reads_the_checkpoint_and_an_inclusion_proof_that_checks_against_it(log):
    head = published(log)
    assert head is not None
    auditor = log.tokens.bearer(Role.AUDITOR)
    found = log.data(CHECKPOINT, authorization=auditor)["logCheckpoint"]
    assert (found["size"], base64.b64decode(found["root"])) == (head.size, head.root)
    assert found["note"] == log.client.get("/checkpoint").text
    events = [e["node"]["eventId"] for e in log.data(EVENTS)["events"]["edges"]]
    for event_id in events:
        proof = log.data(PROOF, {"id": event_id}, authorization=auditor)["eventInclusionProof"]
        assert proof["eventId"] == event_id
        assert proof["treeSize"] == head.size
        assert verify_inclusion(
            proof["leafIndex"],
            proof["treeSize"],
            base64.b64decode(proof["leafHash"]),
            [base64.b64decode(p) for p in proof["auditPath"]],
            head.root,
        )


def test_an_event_not_yet_in_a_checkpoint_an_unknown_id_and_a_bad_id_are_named(log):
    published(log)
    org(log, "Newer")
    newest = log.data(EVENTS)["events"]["edges"][-1]["node"]["eventId"]
    # Whether the in-process sealer has reached it yet or not, it is not in a checkpoint.
    body = log.post(PROOF, {"id": newest})
    assert body["errors"][0]["message"] in {
        "eventId: not sealed yet: ask again after the next checkpoint",
        "eventId: not in the latest checkpoint yet: ask again after the next one",
    }, body
    cases = [
        ("00000000-0000-0000-0000-000000000000", "no such event"),
        ("not-an-id", "is not a valid id"),
    ]
    for event_id, message in cases:
        body = log.post(PROOF, {"id": event_id})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
        assert body["errors"][0]["message"].startswith("eventId: ")
        assert message in body["errors"][0]["message"]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.PARTNER_LIAISON, Role.MENTOR])
def test_only_auditors_and_administrators_read_checkpoints_in_graphql(log, role):
    published(log)
    for document in (CHECKPOINT, PROOF):
        body = log.post(
            document,
            {"id": "00000000-0000-0000-0000-000000000000"} if document is PROOF else {},
            authorization=log.tokens.bearer(role),
        )
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
