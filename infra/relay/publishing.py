"""One batch on its way to JetStream: each event's CloudEvents JSON published asynchronously
to its public type's subject, with the headers it carries, and the future of all its acks."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec
from bridgework.services.contract import SPEC_VERSION, cloudevent, public_types

if TYPE_CHECKING:
    from bridgework.services.ports import Checkpoint, StoredEvent
    from nats.js import JetStreamContext
    from nats.js.api import PubAck

STRUCTURED = "application/cloudevents+json"
BACKOFF_FIRST_SECONDS = 0.1
BACKOFF_MAX_SECONDS = 5.0


def headers(envelope: dict[str, Any]) -> dict[str, str]:
    """`Nats-Msg-Id` for JetStream's deduplication, the structured content type, and the
    envelope's routing attributes as CloudEvents binary-mode headers, for consumers that
    filter without decoding the body."""
    return {
        "Nats-Msg-Id": envelope["id"],
        "Content-Type": STRUCTURED,
        "ce-specversion": SPEC_VERSION,
        "ce-id": envelope["id"],
        "ce-type": envelope["type"],
        "ce-source": envelope["source"],
        "ce-time": envelope["time"],
        "ce-sequence": envelope["sequence"],
    }


@dataclass
class InFlight:
    """A published batch: the checkpoint to move to once every ack has come."""

    to: Checkpoint
    acks: asyncio.Future[list[PubAck]]

    def __post_init__(self) -> None:
        # A failed batch is published again, not raised: its error is retrieved here.
        self.acks.add_done_callback(lambda f: f.cancelled() or f.exception())

    def cancel(self) -> None:
        self.acks.cancel()  # and so every ack still awaited: their slots are freed


async def send(
    js: JetStreamContext,
    events: list[StoredEvent],
    *,
    stream: str,
    source: str,
    personal_data: bool,
) -> InFlight:
    """Publish `events` (opened already if `personal_data`) without waiting for their acks.

    No publish awaits anything but the write to the client's buffer (the client was given as
    many pending slots as a batch holds): one that waited would yield, and the client would
    then write each message to the socket on its own."""
    known = public_types()
    futures = []
    try:
        for e in events:
            if e.event_type not in known:  # not public (the contract maps every type)
                continue
            envelope = cloudevent(e, source=source, personal_data=personal_data)
            futures.append(
                await js.publish_async(
                    envelope["type"],
                    msgspec.json.encode(envelope),
                    stream=stream,
                    headers=headers(envelope),
                )
            )
    except BaseException:
        for f in futures:
            f.cancel()
        raise
    return InFlight(events[-1].checkpoint, asyncio.gather(*futures))


def described(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


class Backoff:
    def __init__(self) -> None:
        self._next = BACKOFF_FIRST_SECONDS

    def reset(self) -> None:
        self._next = BACKOFF_FIRST_SECONDS

    def delay(self) -> float:
        delay, self._next = self._next, min(self._next * 2, BACKOFF_MAX_SECONDS)
        return delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not a secret
