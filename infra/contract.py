"""The public contract over HTTP: `GET /events/catalog` lists every public event type with
its version, its personal fields and the JSON Schema of its data (`services/contract.py`),
for an integration to generate its types from. Policy: any authenticated identity."""

from __future__ import annotations

from typing import Any

from bridgework.infra.auth.guards import authenticated
from bridgework.services.contract import SPEC_VERSION, catalog
from litestar import get


@get("/events/catalog", guards=[authenticated], sync_to_thread=False)
def events_catalog() -> dict[str, Any]:
    """Every public event type (`bridgework.<area>.<Name>`), sorted by type, as CloudEvents
    envelopes carry them."""
    return {"specversion": SPEC_VERSION, "types": catalog()}
