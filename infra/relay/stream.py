"""The relay's JetStream stream: made if missing, checked if it exists, since a stream that
does not take `bridgework.>` or does not acknowledge would lose events or stall the relay."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

if TYPE_CHECKING:
    from nats.js import JetStreamContext
    from nats.js.api import StreamInfo

log = logging.getLogger("bridgework.relay")

SUBJECTS = "bridgework.>"
"""Every public type is `bridgework.<area>.<Name>`, and that is its subject."""
_COVERING = frozenset({SUBJECTS, ">"})


class StreamMismatch(RuntimeError):
    """An existing stream the relay cannot publish into safely; the message says why and
    what to do."""


def wanted(stream: str, duplicate_window: float) -> StreamConfig:
    return StreamConfig(
        name=stream,
        subjects=[SUBJECTS],
        storage=StorageType.FILE,
        duplicate_window=duplicate_window,
        description="Bridgework's public events (CloudEvents), relayed from its log",
    )


async def ensure_stream(js: JetStreamContext, stream: str, duplicate_window: float) -> StreamInfo:
    """The stream's info, after making it if it is missing; `StreamMismatch` if the one that
    exists would not keep every relayed event."""
    try:
        info = await js.stream_info(stream)
    except NotFoundError:
        try:
            info = await js.add_stream(wanted(stream, duplicate_window))
            log.info(
                "relay: made stream %s (subjects %s, duplicate window %g s, file storage)",
                *(stream, SUBJECTS, duplicate_window),
            )
        except BadRequestError as e:  # made by another relay a moment ago, or overlapping
            if e.err_code != 10058:  # noqa: PLR2004 - "stream name already in use"
                raise StreamMismatch(f"stream {stream}: cannot be made: {e.description}") from e
            info = await js.stream_info(stream)
    check(info, duplicate_window)
    return info


def check(info: StreamInfo, duplicate_window: float) -> None:
    config = info.config
    subjects = config.subjects or []
    if not _COVERING & set(subjects):
        raise StreamMismatch(
            f"stream {config.name}: its subjects are {subjects}, which do not take {SUBJECTS!r};"
            f" add {SUBJECTS!r} to them, or name another stream (--stream, BRIDGEWORK_NATS_STREAM)"
        )
    if config.no_ack:
        raise StreamMismatch(
            f"stream {config.name}: no_ack is set, so the relay could never know an event is"
            " stored; clear it, or name another stream"
        )
    if config.duplicate_window < duplicate_window:
        log.warning(
            "relay: stream %s drops duplicates within %g s, less than the %g s configured: a"
            " relay restarted later than that after a crash may publish its last batch twice",
            *(config.name, config.duplicate_window, duplicate_window),
        )
