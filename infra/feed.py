"""The public contract's feed over HTTP: `GET /feed` answers a batch of CloudEvents
(`application/cloudevents-batch+json`, `services/contract.py`) in the log's one global order,
after an opaque cursor, for an integration to poll.

- `after`: the cursor to continue from (absent: the start of the log); every answer gives the
  next one in `Bridgework-Next-Cursor` (the same cursors as the `events` query's).
- `limit`: at most this many events, 1 to `MAX_EVENTS` (default `DEFAULT_LIMIT`).
- `types`: public type names, comma-separated (`bridgework.directory.OrganizationRegistered`).

It reads as the `events` query does (`graphql/log.py`): gap-safe (`EventStore.read_after`
reads only below the oldest running transaction), only the caller's event types and
organisations (`graphql/reach.py`), personal fields opened only when granted. A bad
parameter is a 400 whose JSON names it. Policy: any authenticated identity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from bridgework.graphql.context import identify
from bridgework.graphql.log import MAX_EVENTS, MAX_TYPES, event_cursor, types_within
from bridgework.graphql.pages import CursorError, decode_cursor
from bridgework.graphql.reach import Reach
from bridgework.infra.auth.guards import CHALLENGE, authenticated
from bridgework.services.contract import PUBLIC_NAMES, cloudevent
from bridgework.services.ports import ORIGIN, Checkpoint
from litestar import Request, Response, get
from litestar.exceptions import NotAuthorizedException

if TYPE_CHECKING:
    from bridgework.graphql.context import ApiServices
    from bridgework.infra.runtime import Runtime

BATCH = "application/cloudevents-batch+json"
NEXT_CURSOR = "Bridgework-Next-Cursor"
DEFAULT_LIMIT = 100
STORED_NAMES = {public: stored for stored, public in PUBLIC_NAMES.items()}
"""Each public type name's stored event type."""


class FeedError(ValueError):
    """A query parameter the feed cannot use: the parameter and why."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter, self.message = parameter, message


def feed_checkpoint(after: str | None) -> Checkpoint:
    if after is None:
        return ORIGIN
    try:
        tx_id, position = decode_cursor("event", after, 2)
    except CursorError as e:
        raise FeedError("after", str(e)) from None
    return Checkpoint(tx_id, position)


def feed_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_EVENTS:
        raise FeedError("limit", f"must be a whole number from 1 to {MAX_EVENTS}, got {raw[:50]!r}")
    return int(raw)


def feed_types(raw: str | None) -> frozenset[str] | None:
    """The stored event types of the public names asked for (None: every type)."""
    if raw is None:
        return None
    names = [n.strip() for n in raw.split(",")]
    if len(names) > MAX_TYPES:
        raise FeedError("types", f"at most {MAX_TYPES} event types, got {len(names)}")
    for name in names:
        if name not in STORED_NAMES:
            raise FeedError(
                "types", f"{name[:200]!r} is not a public event type (see /events/catalog)"
            )
    return frozenset(STORED_NAMES[n] for n in names)


def bad_parameter(e: FeedError) -> Response[dict[str, Any]]:
    return Response({"error": {"parameter": e.parameter, "message": e.message}}, status_code=400)


@get("/feed", guards=[authenticated])
async def feed(request: Request[Any, Any, Any]) -> Response[Any]:
    """The next batch of the log as CloudEvents, after `after`."""
    api: ApiServices = request.app.state.api
    runtime: Runtime = request.app.state.runtime
    query = request.query_params
    try:
        after = query.get("after")
        checkpoint = feed_checkpoint(after)
        limit = feed_limit(query.get("limit"))
        wanted = feed_types(query.get("types"))
    except FeedError as e:
        return bad_parameter(e)
    caller = await identify(api.auth, request.headers.get("authorization"))
    if caller is None:  # the guard let it through a moment ago: revoked since
        raise NotAuthorizedException("not authenticated", headers=CHALLENGE)
    wanted = types_within(caller, wanted)
    found = await api.store.read_after(
        checkpoint,
        limit,
        types=None if wanted is None else sorted(wanted),
        scope=Reach(caller, api.pool).scope,
    )
    granted = caller.personal_data
    if granted and found:  # only then are the sealed fields opened: the rest are redacted
        found = await api.store.opened(found)
    source = runtime.settings.event_source
    batch = [cloudevent(e, source=source, personal_data=granted) for e in found]
    # Nothing new: the same cursor again, to poll with later.
    next_cursor = event_cursor(found[-1].checkpoint) if found else (after or event_cursor(ORIGIN))
    return Response(
        msgspec.json.encode(batch), media_type=BATCH, headers={NEXT_CURSOR: next_cursor}
    )
