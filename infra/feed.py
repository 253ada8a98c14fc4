"""The public contract's feed over HTTP: `GET /feed` answers a batch of CloudEvents
(`application/cloudevents-batch+json`, `services/contract.py`) in the log's one global order,
after an opaque cursor, for an integration to poll.

- `after`: the cursor to continue from (absent: the start of the log); every answer gives the
  next one in `Bridgework-Next-Cursor` (the same cursors as the `events` query's).
- `consumer`: instead of `after`, read after the cursor the server keeps for this named
  consumer of the caller's (`infra/feed_consumers.py`; acknowledged with
  `POST /feed/consumers/<name>/ack`, `infra/feed_consumer_routes.py`).
- `limit`: at most this many events, 1 to `MAX_EVENTS` (default `DEFAULT_LIMIT`).
- `types`: public type names, comma-separated (`bridgework.directory.OrganizationRegistered`).
- `wait`: with nothing for the caller yet, wait up to this many seconds for it
  (`infra/feed_wait.py`; 0 to 30, default 0).

It reads as the `events` query does (`graphql/log.py`): gap-safe (`EventStore.read_after`
reads only below the oldest running transaction), only the caller's event types and
organisations (`graphql/reach.py`), personal fields opened only when granted. A bad
parameter is a 400 whose JSON names it. Policy: any authenticated identity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from bridgework.graphql.context import identify
from bridgework.graphql.log import (
    MAX_EVENTS,
    MAX_TYPES,
    cursor_checkpoint,
    event_cursor,
    types_within,
)
from bridgework.graphql.pages import CursorError
from bridgework.graphql.reach import Reach
from bridgework.infra.auth.guards import CHALLENGE, authenticated
from bridgework.infra.feed_consumers import (
    FeedError,
    consumer_name,
    handed_out,
    open_consumer,
    refusal,
)
from bridgework.infra.feed_wait import (
    MAX_WAIT_SECONDS,
    Horizon,
    visible_to,
    wait_for_visible,
    wait_seconds,
)
from bridgework.services.contract import PUBLIC_NAMES, cloudevent
from bridgework.services.ports import ORIGIN, Checkpoint
from litestar import Request, Response, get
from litestar.exceptions import NotAuthorizedException

if TYPE_CHECKING:
    from bridgework.graphql.context import ApiServices
    from bridgework.infra.runtime import Runtime
    from bridgework.services.identity import Principal
    from bridgework.services.ports import StoredEvent

BATCH = "application/cloudevents-batch+json"
NEXT_CURSOR = "Bridgework-Next-Cursor"
DEFAULT_LIMIT = 100
MAX_POSITION = 2**63 - 1
"""The largest position (and transaction id) a cursor may name: PostgreSQL's bigint."""
STORED_NAMES = {public: stored for stored, public in PUBLIC_NAMES.items()}
"""Each public type name's stored event type."""


def feed_checkpoint(raw: str, parameter: str = "after") -> Checkpoint:
    try:
        checkpoint = cursor_checkpoint(raw)
    except CursorError as e:
        raise FeedError(parameter, str(e)) from None
    if max(checkpoint) > MAX_POSITION:
        raise FeedError(parameter, f"{raw[:100]!r} points beyond any log")
    return checkpoint


def feed_from(after: str | None, consumer: str | None) -> tuple[Checkpoint, str | None]:
    """Where to read from: after `after`, or (looked up later) the named consumer's cursor."""
    if consumer is None:
        return (ORIGIN if after is None else feed_checkpoint(after)), None
    if after is not None:
        raise FeedError("after", "not with `consumer`, which reads after its own cursor")
    return ORIGIN, consumer_name(consumer, "consumer")


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


def feed_wait(raw: str | None) -> float:
    seconds = wait_seconds(raw)
    if seconds is None:
        assert raw is not None  # noqa: S101 - absent is the default, never refused
        raise FeedError("wait", f"must be seconds from 0 to {MAX_WAIT_SECONDS}, got {raw[:50]!r}")
    return seconds


async def caller_of(request: Request[Any, Any, Any]) -> Principal:
    """The verified caller (the guard let it through a moment ago; 401 if revoked since)."""
    api: ApiServices = request.app.state.api
    caller = await identify(api.auth, request.headers.get("authorization"))
    if caller is None:
        raise NotAuthorizedException("not authenticated", headers=CHALLENGE)
    return caller


@get("/feed", guards=[authenticated])
async def feed(request: Request[Any, Any, Any]) -> Response[Any]:
    """The next batch of the log as CloudEvents, after `after` or a consumer's cursor."""
    api: ApiServices = request.app.state.api
    runtime: Runtime = request.app.state.runtime
    query = request.query_params
    try:
        limit = feed_limit(query.get("limit"))
        wanted = feed_types(query.get("types"))
        seconds = feed_wait(query.get("wait"))
        checkpoint, consumer = feed_from(query.get("after"), query.get("consumer"))
        caller = await caller_of(request)
        if consumer is not None:
            checkpoint = await open_consumer(api.pool, caller.subject, consumer)
    except FeedError as e:
        return refusal(e)
    wanted = types_within(caller, wanted)
    scope = Reach(caller, api.pool).scope

    async def read() -> list[StoredEvent]:
        types = None if wanted is None else sorted(wanted)
        return await api.store.read_after(checkpoint, limit, types=types, scope=scope)

    found = await read()
    horizon = Horizon(checkpoint)
    if (
        not found
        and seconds
        and await wait_for_visible(
            horizon,
            api.live,
            visible_to(wanted, scope),
            seconds,
            receive=request.receive,
            stopping=request.app.state.stopping,
        )
    ):
        found = await read()
    granted = caller.personal_data
    if granted and found:  # only then are the sealed fields opened: the rest are redacted
        found = await api.store.opened(found)
    source = runtime.settings.event_source
    batch = [cloudevent(e, source=source, personal_data=granted) for e in found]
    # Nothing new: the cursor sent, or past the events the wait saw that were not for them.
    next_checkpoint = found[-1].checkpoint if found else horizon.checkpoint
    if consumer is not None:
        await handed_out(api.pool, caller.subject, consumer, next_checkpoint)
    return Response(
        msgspec.json.encode(batch),
        media_type=BATCH,
        headers={NEXT_CURSOR: event_cursor(next_checkpoint)},
    )
