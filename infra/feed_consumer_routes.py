"""Named consumers of the feed over HTTP (the cursors themselves: `infra/feed_consumers.py`).

- `GET /feed/consumers`: the caller's consumers, each with its cursor, position, lag (events
  it may see, readable after its cursor) and when it last acknowledged.
- `POST /feed/consumers/<name>/ack` `{"cursor": …}`: move the cursor forward to one the feed
  handed this consumer (`Bridgework-Next-Cursor`).
- `POST /feed/consumers/<name>/seek` `{"position": N}` or `{"time": ISO-8601}`: set it,
  forward or back (made first, if it is new).
- `DELETE /feed/consumers/<name>`.

A consumer is the caller's own: another identity naming it finds nothing (404). A body that
is not the JSON object asked for is a 400 naming the field. Policy: any authenticated
identity."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec
from bridgework.graphql.log import event_cursor, types_within
from bridgework.graphql.reach import Reach
from bridgework.infra.auth.guards import authenticated
from bridgework.infra.feed import MAX_POSITION, caller_of, feed_checkpoint
from bridgework.infra.feed_consumers import (
    FeedError,
    acknowledge,
    consumer_name,
    consumers_of,
    delete,
    open_consumer,
    refusal,
    seek,
    seek_position,
    seek_time,
)
from litestar import Request, Response, get, post
from litestar import delete as delete_route

if TYPE_CHECKING:
    from bridgework.graphql.context import ApiServices
    from bridgework.services.ports import Checkpoint

MAX_BODY = 1024
MAX_TIME = 64
_ISO_TIME = re.compile(r"[0-9][0-9T:.,+\-Zz ]*")
"""What an ISO-8601 time is written with (`fromisoformat` lets some control characters by)."""


async def body_of(request: Request[Any, Any, Any], fields: frozenset[str]) -> dict[str, Any]:
    """The request's JSON object, holding only `fields`."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise FeedError("body", f"must be at most {MAX_BODY} bytes, got {len(raw)}")
    try:
        body = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise FeedError("body", "must be a JSON object") from None
    if not isinstance(body, dict):
        raise FeedError("body", "must be a JSON object")
    for key in body:
        if key not in fields:
            only = ", ".join(sorted(fields))
            raise FeedError(str(key)[:80], f"is not a field here (only {only})")
    return body


def ack_cursor(body: dict[str, Any]) -> Checkpoint:
    cursor = body.get("cursor")
    if not isinstance(cursor, str):
        raise FeedError("cursor", "must be the cursor GET /feed gave this consumer (a string)")
    return feed_checkpoint(cursor, "cursor")


def seek_target(body: dict[str, Any]) -> int | datetime:
    """The position or the time to seek to: exactly one of them."""
    if ("position" in body) == ("time" in body):
        raise FeedError("position", "give either `position` or `time`")
    if "position" in body:
        position = body["position"]
        if isinstance(position, bool) or not isinstance(position, int):
            raise FeedError("position", "must be a whole number (0: the start of the log)")
        if not 0 <= position <= MAX_POSITION:
            raise FeedError("position", f"must be from 0 to {MAX_POSITION}")
        return position
    raw = body["time"]
    if not isinstance(raw, str) or len(raw) > MAX_TIME or _ISO_TIME.fullmatch(raw) is None:
        raise FeedError("time", "must be an ISO-8601 time, e.g. 2026-09-01T08:00:00Z")
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise FeedError("time", f"{raw!r} is not an ISO-8601 time") from None
    if at.utcoffset() is None:
        raise FeedError("time", "must have a time zone offset, e.g. 2026-09-01T08:00:00Z")
    return at


def cursor_answer(name: str, cursor: Checkpoint, **more: Any) -> dict[str, Any]:
    return {"name": name, "cursor": event_cursor(cursor), "position": cursor.position} | more


@get("/feed/consumers", guards=[authenticated])
async def list_consumers(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The caller's named consumers."""
    api: ApiServices = request.app.state.api
    caller = await caller_of(request)
    types = types_within(caller, None)
    scope = Reach(caller, api.pool).scope
    return {"consumers": await consumers_of(api.pool, caller.subject, types, scope)}


@post("/feed/consumers/{name:str}/ack", guards=[authenticated], status_code=200)
async def ack(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """Acknowledge everything up to a cursor the feed handed this consumer."""
    api: ApiServices = request.app.state.api
    try:
        name = consumer_name(request.path_params["name"], "name")
        cursor = ack_cursor(await body_of(request, frozenset({"cursor"})))
        caller = await caller_of(request)
        moved = await acknowledge(api.pool, caller.subject, name, cursor)
    except FeedError as e:
        return refusal(e)
    return Response(cursor_answer(name, cursor, moved=moved))


@post("/feed/consumers/{name:str}/seek", guards=[authenticated], status_code=200)
async def seek_consumer(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """Set this consumer's cursor: after the event at a position, or to a time."""
    api: ApiServices = request.app.state.api
    try:
        name = consumer_name(request.path_params["name"], "name")
        target = seek_target(await body_of(request, frozenset({"position", "time"})))
        caller = await caller_of(request)
        if isinstance(target, datetime):
            cursor = await seek_time(api.pool, target)
        else:
            cursor = await seek_position(api.pool, target)
        await open_consumer(api.pool, caller.subject, name)  # seeking first is a first use
        await seek(api.pool, caller.subject, name, cursor)
    except FeedError as e:
        return refusal(e)
    return Response(cursor_answer(name, cursor))


@delete_route("/feed/consumers/{name:str}", guards=[authenticated], status_code=200)
async def delete_consumer(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """Forget this consumer and its cursor."""
    api: ApiServices = request.app.state.api
    try:
        name = consumer_name(request.path_params["name"], "name")
        caller = await caller_of(request)
        await delete(api.pool, caller.subject, name)
    except FeedError as e:
        return refusal(e)
    return Response({"name": name, "deleted": True})


CONSUMER_ROUTES = [list_consumers, ack, seek_consumer, delete_consumer]
