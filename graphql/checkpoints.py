"""The tamper-evident log for auditors: the latest signed checkpoint (the same note as
`GET /checkpoint`) and one event's inclusion proof against it, which an auditor checks
offline with the checkpoint's root (RFC 9162 §2.1.3.2)."""

from __future__ import annotations

import base64
from datetime import datetime

import strawberry
from bridgework.graphql.context import Info
from bridgework.graphql.errors import bad_input
from bridgework.graphql.pages import parse_id
from bridgework.graphql.policy import Policies, reads
from bridgework.graphql.shapes import ident
from bridgework.projections.checkpoints import (
    NotCovered,
    StoredCheckpoint,
    inclusion_of,
    latest_checkpoint,
)
from bridgework.services.identity import Role


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@strawberry.type
class LogCheckpoint:
    """A signed checkpoint of the sealed log: C2SP tlog-checkpoint text in a signed note."""

    note: str = strawberry.field(description="The signed note, exactly as `GET /checkpoint`.")
    size: int = strawberry.field(description="Events in the tree it signs.")
    root: str = strawberry.field(description="The RFC 9162 root hash, base64.")
    signed_at: datetime
    key_name: str

    @classmethod
    def from_stored(cls, c: StoredCheckpoint) -> LogCheckpoint:
        return cls(
            note=c.note, size=c.size, root=_b64(c.root), signed_at=c.signed_at, key_name=c.key_name
        )


@strawberry.type
class InclusionProof:
    """That one event's leaf is in the tree a checkpoint signs: hash the leaf up the audit
    path (RFC 9162 §2.1.3.2) and compare with the checkpoint's root."""

    event_id: strawberry.ID
    position: int
    leaf_index: int
    tree_size: int
    leaf_hash: str = strawberry.field(
        description="SHA-256(0x00 || the event's leaf bytes), base64."
    )
    audit_path: list[str] = strawberry.field(description="Sibling hashes, leaf to root, base64.")
    checkpoint: LogCheckpoint


@strawberry.type
class Query:
    @strawberry.field(
        description="The latest signed checkpoint of the log (null before the first)."
    )
    async def log_checkpoint(self, info: Info) -> LogCheckpoint | None:
        found = await latest_checkpoint(info.context.api.pool)
        return None if found is None else LogCheckpoint.from_stored(found)

    @strawberry.field(
        description="The inclusion proof of one event against the latest signed checkpoint."
    )
    async def event_inclusion_proof(self, info: Info, event_id: strawberry.ID) -> InclusionProof:
        wanted = parse_id("eventId", event_id)
        try:
            found = await inclusion_of(info.context.api.pool, wanted)
        except NotCovered as e:
            raise bad_input("eventId", str(e)) from None
        return InclusionProof(
            event_id=ident(found.event_id),
            position=found.position,
            leaf_index=found.leaf_index,
            tree_size=found.checkpoint.size,
            leaf_hash=_b64(found.leaf),
            audit_path=[_b64(p) for p in found.audit_path],
            checkpoint=LogCheckpoint.from_stored(found.checkpoint),
        )


AUDITORS = reads(Role.AUDITOR, Role.ADMINISTRATOR)
POLICIES: Policies = {"Query": {"log_checkpoint": AUDITORS, "event_inclusion_proof": AUDITORS}}
"""Who may run each root field of this area (`policy.py`)."""
