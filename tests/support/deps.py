"""What handlers need, on whichever store a test gives them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bridgework.infra.transcoding import Transcoder
from bridgework.services.unit_of_work import Deps
from support.context import SECRET_KEY

if TYPE_CHECKING:
    from bridgework.services.ports import EventStore


def deps_on(store: EventStore, **changes: Any) -> Deps:
    """Fresh `Deps` over `store`: the real codec, the wall clock, random ids, the test key."""
    defaults: dict[str, Any] = {
        "codec": Transcoder(),
        "clock": lambda: datetime.now(UTC),
        "new_id": uuid.uuid4,
        "secret_key": SECRET_KEY,
    }
    return Deps(store=store, **(defaults | changes))
